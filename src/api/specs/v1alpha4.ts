/** specs.smi-spec.io/v1alpha4 (the hub): TCPRoute gains ports; UDPRoute appears. */
import { MAX_MATCHES } from '../limits.js';
import { Type, type Static } from '@sinclair/typebox';
import { Strict, TypeMeta, Port } from '../schema.js';
import { HttpMatch } from './match.js';

export const HTTPRouteGroup = Strict({
  ...TypeMeta('specs.smi-spec.io', 'v1alpha4', 'HTTPRouteGroup'),
  spec: Strict({
    matches: Type.Array(HttpMatch, { description: 'The routes of this group; a request fits the group if it fits any.', maxItems: MAX_MATCHES }),
  }),
});
export type HTTPRouteGroup = Static<typeof HTTPRouteGroup>;

const PortMatches = Strict({
  matches: Type.Optional(
    Strict({
      ports: Type.Optional(Type.Array(Port, { description: 'Ports of the destination; every port when empty.' })),
    }),
  ),
});

export const TCPRoute = Strict({
  ...TypeMeta('specs.smi-spec.io', 'v1alpha4', 'TCPRoute'),
  spec: Type.Optional(PortMatches),
});
export type TCPRoute = Static<typeof TCPRoute>;

export const UDPRoute = Strict({
  ...TypeMeta('specs.smi-spec.io', 'v1alpha4', 'UDPRoute'),
  spec: Type.Optional(PortMatches),
});
export type UDPRoute = Static<typeof UDPRoute>;
