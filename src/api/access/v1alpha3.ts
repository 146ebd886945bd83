/** access.smi-spec.io/v1alpha3 TrafficTarget (the hub): ports move to TCPRoute/UDPRoute; UDPRoute rules. */
import { Type, type Static } from '@sinclair/typebox';
import { Strict, TypeMeta } from '../schema.js';
import { IdentityRef } from './v1alpha1.js';

export const TrafficTarget = Strict({
  ...TypeMeta('access.smi-spec.io', 'v1alpha3', 'TrafficTarget'),
  spec: Strict({
    destination: Strict({
      kind: Type.String({ description: 'Kind of the destination identity; ServiceAccount.' }),
      name: Type.String({ description: 'Name of the destination ServiceAccount.' }),
      namespace: Type.Optional(Type.String({ description: 'Must be the TrafficTarget\'s own namespace.' })),
    }),
    rules: Type.Array(
      Strict({
        kind: Type.Union([Type.Literal('HTTPRouteGroup'), Type.Literal('TCPRoute'), Type.Literal('UDPRoute')]),
        name: Type.String({ description: 'Name of the route object in the TrafficTarget\'s namespace.' }),
        matches: Type.Optional(Type.Array(Type.String(), { description: 'HTTPRouteGroup match names; all when omitted.' })),
      }),
      { minItems: 1, description: 'Traffic the sources may send: a request must fit these rules.' },
    ),
    sources: Type.Array(IdentityRef, { minItems: 1, description: 'Identities allowed to call the destination.' }),
  }),
});
export type TrafficTarget = Static<typeof TrafficTarget>;
