/** Every mesh target by name. */
import type { MeshName, Target } from './target.js';
import { istio } from './istio/index.js';
import { linkerd } from './linkerd/index.js';
import { gatewayApi } from './gateway-api/index.js';
import { consul } from './consul/index.js';
import { appmesh } from './appmesh/index.js';
import { cilium } from './cilium/index.js';
import { withFence } from './fence/index.js';

// The NetworkPolicy fence (--fence networkpolicy) wraps the meshes that cannot deny everything SMI denies themselves.
export const TARGETS: Partial<Record<MeshName, Target>> = {
  istio: withFence(istio), linkerd: withFence(linkerd), 'gateway-api': withFence(gatewayApi), consul: withFence(consul), appmesh: withFence(appmesh), cilium,
};

export function targetNames(): MeshName[] {
  return Object.keys(TARGETS) as MeshName[];
}

export function findTarget(name: string): Target | undefined {
  return TARGETS[name as MeshName];
}
