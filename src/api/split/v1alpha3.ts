/** split.smi-spec.io/v1alpha3 TrafficSplit: `matches` names HTTPRouteGroups. */
import { Type, type Static } from '@sinclair/typebox';
import { Strict, TypeMeta } from '../schema.js';
import { Backends, RouteGroupRefs } from './backend.js';

export const TrafficSplit = Strict({
  ...TypeMeta('split.smi-spec.io', 'v1alpha3', 'TrafficSplit'),
  spec: Strict({
    service: Type.String({ description: 'The root service clients call.' }),
    matches: Type.Optional(RouteGroupRefs),
    backends: Backends,
  }),
});
export type TrafficSplit = Static<typeof TrafficSplit>;
