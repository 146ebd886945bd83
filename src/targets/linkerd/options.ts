/** Linkerd's flags and the translation options they set. */
import type { MeshOption } from '../target.js';

export type LinkerdDefaultPolicy = 'deny' | 'all-unauthenticated' | 'all-authenticated' | 'cluster-authenticated' | 'cluster-unauthenticated' | 'audit';
export const LINKERD_DEFAULT_POLICIES: readonly LinkerdDefaultPolicy[] = ['deny', 'all-unauthenticated', 'all-authenticated', 'cluster-authenticated', 'cluster-unauthenticated', 'audit'];

declare module '../target.js' {
  interface TranslateOptions {
    /** Linkerd: legacy ServiceProfile dstOverrides for splits instead of HTTPRoutes (Linkerd before 2.14). */
    readonly linkerdServiceProfiles?: boolean;
    /**
     * Linkerd: the cluster's default inbound policy (proxy.defaultInboundPolicy or the namespace
     * annotation), which decides on ports no Server covers. Unknown when absent.
     */
    readonly linkerdDefaultPolicy?: LinkerdDefaultPolicy;
    /**
     * Linkerd: write config.linkerd.io/default-inbound-policy: deny on the namespaces holding the
     * destinations smi locks down (that annotation alone, by server-side apply), so ports no Server
     * covers are denied there whatever the cluster's default is.
     */
    readonly linkerdNamespaceDeny?: boolean;
  }
}

export const LINKERD_OPTIONS: readonly MeshOption[] = [
  {
    flag: 'linkerd-default-policy', value: 'policy', choices: LINKERD_DEFAULT_POLICIES, appliesTo: 'authorization',
    description: "Linkerd: the cluster's default inbound policy, which decides on ports no Server covers (strict mode needs deny)",
    set: (v) => ({ linkerdDefaultPolicy: v as LinkerdDefaultPolicy }),
    get: (o) => o.linkerdDefaultPolicy,
  },
  {
    flag: 'linkerd-namespace-deny', appliesTo: 'authorization',
    description: 'Linkerd: write config.linkerd.io/default-inbound-policy: deny on the namespaces holding the destinations smi governs (that annotation alone, by server-side apply), so ports no Server covers are denied without a cluster-wide change',
    set: () => ({ linkerdNamespaceDeny: true }),
    get: (o) => (o.linkerdNamespaceDeny ? true : undefined),
    refuse: (o) => (o.enforcement === 'audit'
      ? '--linkerd-namespace-deny with --enforcement audit: audit needs the default policy audit, not deny; set config.linkerd.io/default-inbound-policy: audit yourself and pass --linkerd-default-policy audit'
      : undefined),
  },
  {
    flag: 'linkerd-service-profiles', appliesTo: 'mesh',
    description: 'Linkerd: write splits as legacy ServiceProfile dstOverrides (Linkerd before 2.14) instead of HTTPRoutes',
    set: () => ({ linkerdServiceProfiles: true }),
    get: (o) => (o.linkerdServiceProfiles ? true : undefined),
  },
];
