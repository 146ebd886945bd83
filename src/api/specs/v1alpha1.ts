/** specs.smi-spec.io/v1alpha1: `matches` at the top level; no header filters yet; TCPRoute has no fields. */
import { MAX_MATCHES } from '../limits.js';
import { Type, type Static } from '@sinclair/typebox';
import { Strict, TypeMeta } from '../schema.js';
import { HttpMatchV1 } from './match.js';

export const HTTPRouteGroup = Strict({
  ...TypeMeta('specs.smi-spec.io', 'v1alpha1', 'HTTPRouteGroup'),
  matches: Type.Array(HttpMatchV1, { description: 'The routes of this group; a request fits the group if it fits any.', maxItems: MAX_MATCHES }),
});
export type HTTPRouteGroup = Static<typeof HTTPRouteGroup>;

export const TCPRoute = Strict({ ...TypeMeta('specs.smi-spec.io', 'v1alpha1', 'TCPRoute') });
export type TCPRoute = Static<typeof TCPRoute>;
