/**
 * Istio and Linkerd select pods by labels, SMI by ServiceAccount. A selector plan finds label sets
 * that select every known workload running as a ServiceAccount and no workload running as another:
 * a selector that also caught another workload would hand it access SMI never granted.
 */
import { workloadsIn, type Inventory } from '../policy/inventory.js';
import type { Identity, Workload } from '../policy/model.js';

export interface SelectorPlan {
  /** matchLabels, OR'ed: one per group of workloads. */
  readonly selectors: Record<string, string>[];
  /** Workloads of the identity no selector can isolate; they get no allow rules. */
  readonly unisolated: Workload[];
  /** The labels that cannot be told apart from another identity's workload, for messages. */
  readonly conflicts: string[];
}

/** Whether a matchLabels selector selects a workload's pods. */
export const catches = (selector: Readonly<Record<string, string>>, w: Workload): boolean => Object.entries(selector).every(([k, v]) => w.labels[k] === v);

/**
 * Selectors for an identity's workloads. `usable` says which label keys a selector may name (the
 * fence, which Cilium may enforce, leaves out the labels Cilium drops from identities); workloads are
 * told apart by those labels only.
 */
export function planSelectors(inventory: Inventory, identity: Identity, usable: (key: string) => boolean = () => true): SelectorPlan {
  const visible = (w: Workload): Workload => {
    const labels = Object.fromEntries(Object.entries(w.labels).filter(([k]) => usable(k)));
    return Object.keys(labels).length === Object.keys(w.labels).length ? w : { ...w, labels };
  };
  const here = workloadsIn(inventory, identity.namespace);
  const own = here.filter((w) => w.serviceAccount === identity.name).map(visible);
  const others = here.filter((w) => w.serviceAccount !== identity.name).map(visible);
  if (own.length === 0) return { selectors: [], unisolated: [], conflicts: [] };
  const isolated = (selector: Record<string, string>) => Object.keys(selector).length > 0 && !others.some((o) => catches(selector, o));

  // One selector for all: the labels every workload of the identity shares.
  const [first, ...rest] = own;
  const common: Record<string, string> = {};
  for (const [k, v] of Object.entries(first!.labels)) if (rest.every((w) => w.labels[k] === v)) common[k] = v;
  if (isolated(common)) return { selectors: [sorted(common)], unisolated: [], conflicts: [] };

  // Otherwise one per workload, with its full pod labels.
  const selectors: Record<string, string>[] = [];
  const unisolated: Workload[] = [];
  const conflicts: string[] = [];
  // Fewest labels first, and a workload already caught by a chosen selector adds none: the selectors
  // then never overlap, which Linkerd requires of Servers (and which keeps Istio policies distinct).
  for (const w of [...own].sort((a, b) => Object.keys(a.labels).length - Object.keys(b.labels).length || a.name.localeCompare(b.name))) {
    if (selectors.some((s) => catches(s, w))) continue;
    if (isolated(w.labels)) {
      selectors.push(sorted(w.labels));
    } else {
      unisolated.push(w);
      const clash = others.find((o) => catches(w.labels, o));
      conflicts.push(`${w.kind}/${w.name}${clash ? ` (labels also on ${clash.kind}/${clash.name}, which runs as ${clash.namespace}/${clash.serviceAccount})` : ' (no pod labels)'}`);
    }
  }
  return { selectors, unisolated, conflicts };
}

function sorted(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}
