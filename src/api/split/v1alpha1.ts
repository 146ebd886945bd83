/** split.smi-spec.io/v1alpha1 TrafficSplit: weights are Kubernetes quantities (1 = 1000m). */
import { Type, type Static } from '@sinclair/typebox';
import { Strict, TypeMeta } from '../schema.js';

export const TrafficSplit = Strict({
  ...TypeMeta('split.smi-spec.io', 'v1alpha1', 'TrafficSplit'),
  spec: Strict({
    service: Type.String({ description: 'The root service clients call.' }),
    backends: Type.Array(
      Strict({
        service: Type.String({ description: 'A Service in the same namespace.' }),
        weight: Type.Union([Type.Integer(), Type.String()], {
          description: 'Relative weight as a Kubernetes quantity, e.g. 100m or 1.',
          'x-kubernetes-int-or-string': true,
        }),
      }),
      { minItems: 1 },
    ),
  }),
});
export type TrafficSplit = Static<typeof TrafficSplit>;
