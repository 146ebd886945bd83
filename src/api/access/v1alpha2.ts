/** access.smi-spec.io/v1alpha2 TrafficTarget: fields move under `spec`, `specs` becomes `rules`; `port` stays. */
import { Type, type Static } from '@sinclair/typebox';
import { Strict, TypeMeta, Port } from '../schema.js';
import { IdentityRef } from './v1alpha1.js';

export const TrafficTarget = Strict({
  ...TypeMeta('access.smi-spec.io', 'v1alpha2', 'TrafficTarget'),
  spec: Strict({
    destination: Strict({
      kind: Type.String({ description: 'Kind of the destination identity; ServiceAccount.' }),
      name: Type.String(),
      namespace: Type.Optional(Type.String()),
      port: Type.Optional({ ...Port, description: 'Only this port of the destination; every port when omitted.' }),
    }),
    rules: Type.Array(
      Strict({
        kind: Type.Union([Type.Literal('HTTPRouteGroup'), Type.Literal('TCPRoute')]),
        name: Type.String(),
        matches: Type.Optional(Type.Array(Type.String())),
      }),
      { minItems: 1 },
    ),
    sources: Type.Array(IdentityRef, { minItems: 1 }),
  }),
});
export type TrafficTarget = Static<typeof TrafficTarget>;
