/**
 * The pod labels Cilium keeps in an endpoint's security identity. Cilium enforces policy (its own and
 * Kubernetes NetworkPolicies, which it translates) by identity, so a selector on a label it leaves
 * out never matches any pod. Cilium's default filter (pkg/labelsfilter, defaultLabelPrefixCfg; the
 * "Limiting Identity-Relevant Labels" page): each pattern is a regex that must match at the start of
 * the key; a label is dropped when an ignore pattern matches it, unless an include pattern matches a
 * longer part of the key. A cluster configured with its own label list (--labels) may keep other
 * labels: smi assumes the default.
 */

/** Included: the namespace label, namespace labels, app.kubernetes.io/*, the cluster label. */
const INCLUDE = [/^io\.kubernetes\.pod\.namespace/, /^io\.cilium\.k8s\.namespace\.labels/, /^app\.kubernetes\.io/, /^io\.cilium\.k8s\.policy\.cluster/];

/** Ignored: Kubernetes' own prefixes, per-pod and per-rollout labels, annotations. */
const IGNORE = [
  /^io\.kubernetes/, /^kubernetes\.io/, /^statefulset\.kubernetes\.io\/pod-name/, /^apps\.kubernetes\.io\/pod-index/,
  /^batch\.kubernetes\.io\/job-completion-index/, /^.*beta\.kubernetes\.io/, /^k8s\.io/, /^pod-template-generation/,
  /^pod-template-hash/, /^controller-revision-hash/, /^annotation./, /^etcd_node/,
];

const matchLength = (patterns: readonly RegExp[], key: string, pick: (a: number, b: number) => number): number => {
  let out = 0;
  for (const p of patterns) {
    const m = p.exec(key);
    if (m) out = out === 0 ? m[0].length : pick(out, m[0].length);
  }
  return out;
};

/** Whether Cilium's default filter keeps this label key in security identities. */
export function ciliumKeepsLabel(key: string): boolean {
  const ignored = matchLength(IGNORE, key, Math.min);
  if (ignored === 0) return true;
  return matchLength(INCLUDE, key, Math.max) > ignored;
}

/** The labels of a pod as Cilium's identity holds them. */
export function ciliumIdentityLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => ciliumKeepsLabel(k)));
}
