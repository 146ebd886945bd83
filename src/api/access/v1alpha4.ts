/**
 * access.smi-spec.io/v1alpha4 IdentityBinding: the working draft of the spec, served as experimental.
 * Schemes are OR'ed; podLabelSelector and serviceAccount exclude each other (checked in checks/).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Strict, TypeMeta, LabelSelector } from '../schema.js';

export const IdentityBinding = Strict({
  ...TypeMeta('access.smi-spec.io', 'v1alpha4', 'IdentityBinding'),
  spec: Strict({
    schemes: Strict({
      podLabelSelector: Type.Optional(LabelSelector),
      spiffeIdentities: Type.Optional(Type.Array(Type.String(), { description: 'SPIFFE IDs of the workload.' })),
      serviceAccount: Type.Optional(Type.String({ description: 'A ServiceAccount in this namespace.' })),
    }),
  }),
});
export type IdentityBinding = Static<typeof IdentityBinding>;
