/** Every mesh target by name. */
import type { MeshName, Target } from './target.js';
import type { MeshOption } from './target.js';
import type { MeshMetrics } from './metrics-spec.js';
import type { ScopeOptions } from '../policy/scope.js';
import { istio } from './istio/index.js';
import { linkerd } from './linkerd/index.js';
import { gatewayApi } from './gateway-api/index.js';
import { consul } from './consul/index.js';
import { appmesh } from './appmesh/index.js';
import { cilium } from './cilium/index.js';
import { withFence } from './fence/index.js';

// Every target, in the order help and listings show them. The NetworkPolicy fence (--fence
// networkpolicy) wraps those that cannot deny everything SMI denies themselves (fenceProfile).
const REGISTERED: readonly Target[] = [istio, linkerd, gatewayApi, consul, appmesh, cilium].map(withFence);

export const TARGETS: Readonly<Record<MeshName, Target>> = Object.fromEntries(REGISTERED.map((t) => [t.name, t]));

export function targetNames(): MeshName[] {
  return REGISTERED.map((t) => t.name);
}

export function findTarget(name: string): Target | undefined {
  return REGISTERED.find((t) => t.name === name);
}

/** Every mesh's own flags with the target that declares them, in registry order. */
export function meshOptions(): { owner: Target; option: MeshOption }[] {
  return REGISTERED.flatMap((owner) => (owner.options ?? []).map((option) => ({ owner, option })));
}

/** Every mesh's own namespaces: none of them is governed by default, whichever mesh is translated to. */
export function systemNamespaces(): RegExp[] {
  return REGISTERED.flatMap((t) => [...(t.systemNamespaces ?? [])]);
}

/** The scope options of a policy model: exactly these namespaces when named (-n), and every mesh's system namespaces. */
export function scopeOptions(namespaces?: readonly string[]): ScopeOptions {
  return { system: systemNamespaces(), ...(namespaces && namespaces.length > 0 ? { namespaces } : {}) };
}

/** The meshes whose metrics smi reads. */
export function metricsMeshes(): MeshName[] {
  return REGISTERED.filter((t) => t.metrics).map((t) => t.name);
}

export function metricsOf(name: MeshName): MeshMetrics | undefined {
  return findTarget(name)?.metrics;
}
