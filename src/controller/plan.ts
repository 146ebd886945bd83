/**
 * What a reconcile would change (pure): the resources smi wants against the ones of smi's it finds
 * live. Used by the controller to write only the difference, by its --dry-run to report it, and by
 * `smi diff --live` to show it.
 */
import type { MeshResource } from '../targets/target.js';

export interface LiveResource {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { uid?: string }[] };
  spec?: unknown;
}

export interface PlannedChange {
  readonly verb: 'create' | 'update' | 'delete';
  /** apiVersion/Kind/namespace/name. */
  readonly key: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** For updates: which of smi's parts differ (spec, labels, annotations, owners). */
  readonly fields: readonly string[];
}

export interface Plan {
  /** Creates and updates, to server-side apply. */
  readonly applies: readonly MeshResource[];
  /** Resources smi wrote and no longer wants. */
  readonly deletes: readonly LiveResource[];
  readonly changes: readonly PlannedChange[];
}

export const resourceKey = (r: LiveResource): string => `${r.apiVersion}/${r.kind}/${r.metadata?.namespace ?? ''}/${r.metadata?.name ?? ''}`;

const sortKeys = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sortKeys) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sortKeys(x)])) : v;

/** The parts of a resource smi sets, compared only on the label and annotation keys smi sets. */
function parts(r: LiveResource, labelKeys: string[], annotationKeys: string[]): Record<string, string> {
  const pick = (m: Record<string, string> | undefined, keys: string[]) => Object.fromEntries(keys.map((k) => [k, m?.[k]]));
  return {
    spec: JSON.stringify(sortKeys(r.spec ?? null)),
    labels: JSON.stringify(sortKeys(pick(r.metadata?.labels, labelKeys))),
    annotations: JSON.stringify(sortKeys(pick(r.metadata?.annotations, annotationKeys))),
    owners: JSON.stringify((r.metadata?.ownerReferences ?? []).map((o) => o.uid).sort()),
  };
}

const change = (verb: PlannedChange['verb'], r: LiveResource, fields: string[] = []): PlannedChange =>
  ({ verb, key: resourceKey(r), kind: r.kind ?? '', namespace: r.metadata?.namespace ?? '', name: r.metadata?.name ?? '', fields });

export function planChanges(wanted: readonly MeshResource[], live: readonly LiveResource[]): Plan {
  const current = new Map(live.map((o) => [resourceKey(o), o]));
  const keys = new Set<string>();
  const applies: MeshResource[] = [];
  const changes: PlannedChange[] = [];
  for (const r of wanted) {
    const key = resourceKey(r);
    keys.add(key);
    const now = current.get(key);
    if (!now) {
      applies.push(r);
      changes.push(change('create', r));
      continue;
    }
    const labels = Object.keys(r.metadata.labels ?? {});
    const annotations = Object.keys(r.metadata.annotations ?? {});
    const a = parts(r, labels, annotations);
    const b = parts(now, labels, annotations);
    const fields = Object.keys(a).filter((f) => a[f] !== b[f]);
    if (fields.length > 0) {
      applies.push(r);
      changes.push(change('update', r, fields));
    }
  }
  const deletes = live.filter((o) => !keys.has(resourceKey(o)));
  for (const o of deletes) changes.push(change('delete', o));
  return { applies, deletes, changes };
}
