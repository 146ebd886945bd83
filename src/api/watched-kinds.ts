/** What the controller watches: the SMI kinds (their storage version) and the Kubernetes inventory they refer to. Pure data: the paths and shapes of the kinds, no IO. */
import { apiVersionOf, hubVersion, KINDS } from './registry.js';

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

export function smiKinds(): WatchedKind[] {
  return KINDS.filter((d) => d.crd).map((d) => ({ apiVersion: apiVersionOf(d, hubVersion(d)), kind: d.kind, resource: d.plural, namespaced: true, smi: true }));
}

/** The list/watch path of a kind, cluster-wide or in one namespace. */
export function kindPath(k: Pick<WatchedKind, 'apiVersion' | 'resource'>, namespace?: string): string {
  const base = k.apiVersion.includes('/') ? `/apis/${k.apiVersion}` : `/api/${k.apiVersion}`;
  return namespace ? `${base}/namespaces/${namespace}/${k.resource}` : `${base}/${k.resource}`;
}
