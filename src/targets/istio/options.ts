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
     * ztunnel on each node enforces L4 policy; route-level grants go to waypoint proxies (istioWaypoint).
     */
    readonly istioDataPlane?: 'sidecar' | 'ambient';
    /**
     * Istio ambient: which waypoint carries route-level grants. create (default): smi writes one,
     * smi-waypoint, in each namespace that needs it; NAME: the user's own waypoint of that name in each
     * such namespace; none: no waypoint, route-level grants are left out (errors).
     */
    readonly istioWaypoint?: string;
  }
}

declare module '../metrics-spec.js' {
  interface MetricsOptions {
    /** Istio ambient: the waypoint named by --istio-waypoint, whose identity relays other callers' connections (metrics.ts). */
    readonly istioWaypoint?: string;
  }
}

export const isAmbient = (options: { readonly istioDataPlane?: 'sidecar' | 'ambient' }): boolean => options.istioDataPlane === 'ambient';

/** The waypoint smi writes when asked to create one. */
export const DEFAULT_WAYPOINT = 'smi-waypoint';

/** The waypoint route-level grants go to in ambient mode: its name, and whether smi writes it; undefined: none. */
export function waypointOf(options: { readonly istioDataPlane?: 'sidecar' | 'ambient'; readonly istioWaypoint?: string }): { name: string; create: boolean } | undefined {
  if (!isAmbient(options) || options.istioWaypoint === 'none') return undefined;
  return options.istioWaypoint === undefined || options.istioWaypoint === 'create' ? { name: DEFAULT_WAYPOINT, create: true } : { name: options.istioWaypoint, create: false };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const ISTIO_OPTIONS: readonly MeshOption[] = [
  {
    flag: 'istio-data-plane', value: 'mode', choices: ['sidecar', 'ambient'], appliesTo: 'mesh', variant: true, readsMetrics: true,
    description: 'Istio: sidecar (default) or ambient (ztunnel enforces L4 grants, a waypoint route-level grants and splits: see --istio-waypoint)',
    set: (v) => ({ istioDataPlane: v as 'sidecar' | 'ambient' }),
    get: (o) => (o.istioDataPlane === 'ambient' ? 'ambient' : undefined),
  },
  {
    flag: 'istio-waypoint', value: 'create|none|NAME', appliesTo: 'mesh', readsMetrics: true,
    description: `Istio ambient: create (default) writes a waypoint (${DEFAULT_WAYPOINT}) in each namespace whose destinations have route-level grants and labels the namespace to use it; NAME uses your own waypoint of that name there; none writes no waypoint (route-level grants are left out: errors)`,
    set: (v) => ({ istioWaypoint: String(v) }),
    get: (o) => o.istioWaypoint,
    refuse: (o) => (o.istioWaypoint !== undefined && !isAmbient(o) ? '--istio-waypoint applies to --istio-data-plane ambient only (sidecars enforce route-level grants themselves)'
      : o.istioWaypoint !== undefined && !DNS_LABEL.test(o.istioWaypoint) ? `--istio-waypoint takes create, none or a waypoint's name (a DNS label), got "${o.istioWaypoint}"`
        : undefined),
  },
  {
    flag: 'istio-root-namespace', value: 'ns', appliesTo: 'authorization',
    description: `Istio: the mesh's root namespace, whose policies reach every namespace; smi writes no policy there (default ${DEFAULT_ISTIO_ROOT_NAMESPACE})`,
    set: (v) => ({ istioRootNamespace: String(v) }),
    get: (o) => o.istioRootNamespace,
  },
];
