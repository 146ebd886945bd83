/** Istio's flags and the translation options they set. */
import type { MeshOption } from '../target.js';

export const DEFAULT_ISTIO_ROOT_NAMESPACE = 'istio-system';

declare module '../target.js' {
  interface TranslateOptions {
    /**
     * Istio: the mesh's root namespace (meshConfig.rootNamespace), where an AuthorizationPolicy with a
     * selector applies to matching workloads of every namespace. Default istio-system.
     */
    readonly istioRootNamespace?: string;
    /**
     * Istio: the data plane the destinations run on. sidecar (default): an Envoy in each pod. ambient:
     * ztunnel on each node enforces L4 policy; route-level grants need waypoint proxies, which smi
     * does not write yet, so they are left out (errors).
     */
    readonly istioDataPlane?: 'sidecar' | 'ambient';
  }
}

export const isAmbient = (options: { readonly istioDataPlane?: 'sidecar' | 'ambient' }): boolean => options.istioDataPlane === 'ambient';

export const ISTIO_OPTIONS: readonly MeshOption[] = [
  {
    flag: 'istio-data-plane', value: 'mode', choices: ['sidecar', 'ambient'], appliesTo: 'mesh', variant: true,
    description: 'Istio: sidecar (default) or ambient (ztunnel enforces L4 grants; route-level grants and splits need waypoints, which smi does not write yet: errors)',
    set: (v) => ({ istioDataPlane: v as 'sidecar' | 'ambient' }),
    get: (o) => (o.istioDataPlane === 'ambient' ? 'ambient' : undefined),
  },
  {
    flag: 'istio-root-namespace', value: 'ns', appliesTo: 'authorization',
    description: `Istio: the mesh's root namespace, whose policies reach every namespace; smi writes no policy there (default ${DEFAULT_ISTIO_ROOT_NAMESPACE})`,
    set: (v) => ({ istioRootNamespace: String(v) }),
    get: (o) => o.istioRootNamespace,
  },
];
