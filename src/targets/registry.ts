/** Every mesh target by name. */
import type { MeshName, Target } from './target.js';
import { istio } from './istio/index.js';
import { linkerd } from './linkerd/index.js';
import { gatewayApi } from './gateway-api/index.js';
import { consul } from './consul/index.js';
import { appmesh } from './appmesh/index.js';
import { cilium } from './cilium/index.js';

export const TARGETS: Partial<Record<MeshName, Target>> = { istio, linkerd, 'gateway-api': gatewayApi, consul, appmesh, cilium };

export function targetNames(): MeshName[] {
  return Object.keys(TARGETS) as MeshName[];
}

export function findTarget(name: string): Target | undefined {
  return TARGETS[name as MeshName];
}
