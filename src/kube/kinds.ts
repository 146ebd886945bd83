/** What the controller watches: the SMI kinds (their storage version) and the inventory they refer to. */
import { apiVersionOf, hubVersion, KINDS } from '../api/registry.js';

export interface WatchedKind {
  readonly apiVersion: string;
  readonly kind: string;
  /** Plural resource name, for the watch path. */
  readonly resource: string;
  readonly namespaced: boolean;
  readonly smi: boolean;
}

export const INVENTORY_KINDS: readonly WatchedKind[] = [
  { apiVersion: 'v1', kind: 'Service', resource: 'services', namespaced: true, smi: false },
  { apiVersion: 'v1', kind: 'ServiceAccount', resource: 'serviceaccounts', namespaced: true, smi: false },
  { apiVersion: 'apps/v1', kind: 'Deployment', resource: 'deployments', namespaced: true, smi: false },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', resource: 'statefulsets', namespaced: true, smi: false },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', resource: 'daemonsets', namespaced: true, smi: false },
];

/** Namespaces, for the opt-in label of smi's scope (smi-spec.io/enforce); watched when no -n is given. */
export const NAMESPACE_KIND: WatchedKind = { apiVersion: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false, smi: false };

/** kube-apiserver leaves apiVersion and kind off the items of built-in lists; later stages need them. */
export function typedItems<T extends { apiVersion?: string; kind?: string }>(items: T[], kind: Pick<WatchedKind, 'apiVersion' | 'kind'>): T[] {
  for (const item of items) {
    item.apiVersion ??= kind.apiVersion;
    item.kind ??= kind.kind;
  }
  return items;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * What the cache keeps of an object: not its managedFields nor kubectl's copy of the last applied
 * configuration, which nothing in smi reads. The metadata is rebuilt rather than deleted from, which
 * would leave V8 a slow, larger dictionary-mode object for each of thousands of cached items.
 */
export function slim<T extends { kind?: string; metadata?: { managedFields?: unknown; annotations?: Record<string, string> } }>(o: T): T {
  const meta = o.metadata;
  // Namespaces keep theirs: which annotations smi owns there is read from them (and they are few).
  const dropFields = o.kind !== 'Namespace' && meta?.managedFields !== undefined;
  if (!meta || (!dropFields && !(meta.annotations && LAST_APPLIED in meta.annotations))) return o;
  const { managedFields, annotations, ...rest } = meta;
  const kept = annotations && Object.fromEntries(Object.entries(annotations).filter(([k]) => k !== LAST_APPLIED));
  o.metadata = { ...rest, ...(dropFields || managedFields === undefined ? {} : { managedFields }), ...(kept && Object.keys(kept).length > 0 ? { annotations: kept } : {}) } as T['metadata'];
  return o;
}

export function smiKinds(): WatchedKind[] {
  return KINDS.filter((d) => d.crd).map((d) => ({ apiVersion: apiVersionOf(d, hubVersion(d)), kind: d.kind, resource: d.plural, namespaced: true, smi: true }));
}

/** The list/watch path of a kind, cluster-wide or in one namespace. */
export function kindPath(k: Pick<WatchedKind, 'apiVersion' | 'resource'>, namespace?: string): string {
  const base = k.apiVersion.includes('/') ? `/apis/${k.apiVersion}` : `/api/${k.apiVersion}`;
  return namespace ? `${base}/namespaces/${namespace}/${k.resource}` : `${base}/${k.resource}`;
}
