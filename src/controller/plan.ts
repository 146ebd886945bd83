/**
 * What a reconcile would change (pure): the resources smi wants against the ones of smi's it finds
 * live. Used by the controller to write only the difference, by its --dry-run to report it, and by
 * `smi diff --live` to show it.
 */
import { createHash } from 'node:crypto';
import type { MeshResource } from '../targets/target.js';

/**
 * The hash of what smi last applied, on every resource it writes. The API server adds defaults
 * (Gateway API's backendRef kind and weight, path match types, …), so a live spec is never equal to
 * the applied one; the hash tells whether smi's intent changed, and a field-by-field check that
 * every field smi sets still has its value (drift) tells whether someone changed the live object.
 */
export const DESIRED_HASH = 'smi-spec.io/desired-hash';

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

/** Every field `want` sets has that value in `have` (which may hold more: the server's defaults). */
export function holds(want: unknown, have: unknown): boolean {
  if (Array.isArray(want)) return Array.isArray(have) && have.length === want.length && want.every((w, i) => holds(w, have[i]));
  if (want !== null && typeof want === 'object') {
    if (have === null || typeof have !== 'object' || Array.isArray(have)) return false;
    return Object.entries(want).every(([k, v]) => holds(v, (have as Record<string, unknown>)[k]));
  }
  return want === have;
}

const ownersOf = (r: MeshResource | LiveResource): { uid?: string }[] => ((r.metadata as LiveResource['metadata'])?.ownerReferences ?? []);

const hashOf = (r: MeshResource): string =>
  createHash('sha256').update(JSON.stringify(sortKeys({ spec: r.spec ?? null, labels: r.metadata.labels ?? {}, annotations: r.metadata.annotations ?? {}, owners: ownersOf(r) }))).digest('hex').slice(0, 32);

/** Which of smi's parts of a live resource differ from what it wants. */
function differences(r: MeshResource, now: LiveResource): string[] {
  const pick = (m: Record<string, string> | undefined, keys: string[]) => JSON.stringify(sortKeys(Object.fromEntries(keys.map((k) => [k, m?.[k]]))));
  const labels = Object.keys(r.metadata.labels ?? {});
  const annotations = Object.keys(r.metadata.annotations ?? {});
  const out: string[] = [];
  if (!holds(r.spec ?? null, now.spec ?? null)) out.push('spec');
  if (pick(r.metadata.labels, labels) !== pick(now.metadata?.labels, labels)) out.push('labels');
  if (pick(r.metadata.annotations, annotations) !== pick(now.metadata?.annotations, annotations)) out.push('annotations');
  if (JSON.stringify(ownersOf(r).map((o) => o.uid).sort()) !== JSON.stringify(ownersOf(now).map((o) => o.uid).sort())) out.push('owners');
  return out;
}

const change = (verb: PlannedChange['verb'], r: LiveResource, fields: string[] = []): PlannedChange =>
  ({ verb, key: resourceKey(r), kind: r.kind ?? '', namespace: r.metadata?.namespace ?? '', name: r.metadata?.name ?? '', fields });

export function planChanges(wanted: readonly MeshResource[], live: readonly LiveResource[]): Plan {
  const current = new Map(live.map((o) => [resourceKey(o), o]));
  const keys = new Set<string>();
  const applies: MeshResource[] = [];
  const changes: PlannedChange[] = [];
  for (const desired of wanted) {
    const key = resourceKey(desired);
    keys.add(key);
    const hash = hashOf(desired);
    const r: MeshResource = { ...desired, metadata: { ...desired.metadata, annotations: { ...desired.metadata.annotations, [DESIRED_HASH]: hash } } };
    const now = current.get(key);
    if (!now) {
      applies.push(r);
      changes.push(change('create', r));
      continue;
    }
    // Changed intent (the hash), or drift: a field smi sets that no longer has its value.
    const fields = differences(desired, now);
    if (now.metadata?.annotations?.[DESIRED_HASH] !== hash && fields.length === 0) fields.push('desired-hash');
    if (fields.length > 0) {
      applies.push(r);
      changes.push(change('update', r, fields));
    }
  }
  const deletes = live.filter((o) => !keys.has(resourceKey(o)));
  for (const o of deletes) changes.push(change('delete', o));
  return { applies, deletes, changes };
}
