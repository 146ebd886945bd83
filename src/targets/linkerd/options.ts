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
    /**
     * Linkerd: the cluster's opaque ports (proxy.opaquePorts), as Linkerd writes them: ports and
     * ranges, comma-separated ("25,587,3306,4000-4100"). Default Linkerd's own list (opaque-ports.ts).
     */
    readonly linkerdOpaquePorts?: string;
  }
}

/** Ports and ranges as Linkerd's opaque-ports setting writes them; undefined when malformed. */
export function parsePortRanges(text: string): { from: number; to: number }[] | undefined {
  const out: { from: number; to: number }[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    const from = Number(m?.[1]);
    const to = m?.[2] === undefined ? from : Number(m[2]);
    if (!m || from < 1 || to > 65535 || to < from) return undefined;
    out.push({ from, to });
  }
  return out;
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
    flag: 'linkerd-opaque-ports', value: 'ports', appliesTo: 'authorization',
    description: "Linkerd: the cluster's opaque ports (proxy.opaquePorts), e.g. 25,587,3306,4000-4100; HTTP there is carried as TCP, so route-level grants there are lost (default: Linkerd's own list)",
    set: (v) => ({ linkerdOpaquePorts: String(v) }),
    get: (o) => o.linkerdOpaquePorts,
    refuse: (o) => (o.linkerdOpaquePorts !== undefined && !parsePortRanges(o.linkerdOpaquePorts)
      ? `--linkerd-opaque-ports takes ports and ranges from 1 to 65535, comma-separated (25,587,3306,4000-4100), got "${o.linkerdOpaquePorts}"`
      : undefined),
  },
  {
    flag: 'linkerd-service-profiles', appliesTo: 'mesh',
    description: 'Linkerd: write splits as legacy ServiceProfile dstOverrides (Linkerd before 2.14) instead of HTTPRoutes',
    set: () => ({ linkerdServiceProfiles: true }),
    get: (o) => (o.linkerdServiceProfiles ? true : undefined),
  },
];
