import { Type } from '@sinclair/typebox';
import { Strict } from '../schema.js';

/** v1alpha2 on: weights are whole numbers, relative to each other. */
export const Backends = Type.Array(
  Strict({
    service: Type.String({ description: 'A Service in the same namespace.' }),
    weight: Type.Integer({ minimum: 0, description: 'Relative weight, a whole number.' }),
  }),
  { minItems: 1, description: 'The services traffic is split between.' },
);

export const RouteGroupRefs = Type.Array(
  Strict({
    kind: Type.Literal('HTTPRouteGroup'),
    name: Type.String({ description: 'An HTTPRouteGroup in the same namespace.' }),
    apiGroup: Type.Optional(Type.Literal('specs.smi-spec.io')),
  }),
  { description: 'Only requests fitting these groups are split; others go to the root service.' },
);
