/** split.smi-spec.io/v1alpha2 TrafficSplit: integer weights. */
import { Type, type Static } from '@sinclair/typebox';
import { Strict, TypeMeta } from '../schema.js';
import { Backends } from './backend.js';

export const TrafficSplit = Strict({
  ...TypeMeta('split.smi-spec.io', 'v1alpha2', 'TrafficSplit'),
  spec: Strict({
    service: Type.String({ description: 'The root service clients call.' }),
    backends: Backends,
  }),
});
export type TrafficSplit = Static<typeof TrafficSplit>;
