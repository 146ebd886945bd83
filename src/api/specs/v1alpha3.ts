/** specs.smi-spec.io/v1alpha3: fields move under `spec`; TCPRoute has an empty spec. */
import { MAX_MATCHES } from '../limits.js';
import { Type, type Static } from '@sinclair/typebox';
import { Strict, TypeMeta } from '../schema.js';
import { HttpMatch } from './match.js';

export const HTTPRouteGroup = Strict({
  ...TypeMeta('specs.smi-spec.io', 'v1alpha3', 'HTTPRouteGroup'),
  spec: Strict({
    matches: Type.Array(HttpMatch, { description: 'The routes of this group; a request fits the group if it fits any.', maxItems: MAX_MATCHES }),
  }),
});
export type HTTPRouteGroup = Static<typeof HTTPRouteGroup>;

export const TCPRoute = Strict({
  ...TypeMeta('specs.smi-spec.io', 'v1alpha3', 'TCPRoute'),
  spec: Type.Optional(Strict({})),
});
export type TCPRoute = Static<typeof TCPRoute>;
