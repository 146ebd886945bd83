/** access.smi-spec.io/v1alpha1 TrafficTarget: fields at the top level, `specs`, destination `port`. */
import { Type, type Static } from '@sinclair/typebox';
import { Strict, TypeMeta, Port } from '../schema.js';

export const IdentityRef = Strict({
  kind: Type.String({ description: 'Kind of the identity; ServiceAccount.' }),
  name: Type.String({ description: 'Name of the ServiceAccount.' }),
  namespace: Type.Optional(Type.String({ description: 'Namespace of the ServiceAccount; the TrafficTarget\'s when omitted.' })),
});

export const TrafficTarget = Strict({
  ...TypeMeta('access.smi-spec.io', 'v1alpha1', 'TrafficTarget'),
  destination: Strict({
    kind: Type.String({ description: 'Kind of the destination identity; ServiceAccount.' }),
    name: Type.String(),
    namespace: Type.Optional(Type.String()),
    port: Type.Optional({ ...Port, description: 'Only this port of the destination; every port when omitted.' }),
  }),
  specs: Type.Array(
    Strict({
      kind: Type.Union([Type.Literal('HTTPRouteGroup'), Type.Literal('TCPRoute')]),
      name: Type.String({ description: 'Name of the route group in the TrafficTarget\'s namespace.' }),
      matches: Type.Optional(Type.Array(Type.String(), { description: 'Match names of the group; all matches when omitted.' })),
    }),
    { minItems: 1, description: 'Traffic the sources may send.' },
  ),
  sources: Type.Array(IdentityRef, { minItems: 1, description: 'Identities allowed to call the destination.' }),
});
export type TrafficTarget = Static<typeof TrafficTarget>;
