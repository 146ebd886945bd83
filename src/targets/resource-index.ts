/**
 * Evaluators look resources up by kind and namespace; answering many requests over one translation
 * (smi diff, the dashboard's differences) made each lookup a scan of every resource. This indexes a
 * resource list once — remembered per list, which is never changed after translation — keeping the
 * list's order within each key, so a lookup returns exactly what the scan's filter did.
 */
import type { MeshResource } from './target.js';
import { groupOf, type ResourceKind, type ResourceOf } from './resource-kind.js';

interface Index {
  readonly byKey: Map<string, MeshResource[]>;
  readonly position: Map<MeshResource, number>;
  readonly subsets: Map<(r: MeshResource) => boolean, MeshResource[]>;
  readonly merged: Map<string, MeshResource[]>;
}

const indexes = new WeakMap<readonly MeshResource[], Index>();
const key = (kind: { readonly group: string; readonly kind: string }, namespace: string | undefined) => `${kind.group}/${kind.kind}\u0000${namespace ?? ''}`;

function indexOf(resources: readonly MeshResource[]): Index {
  let index = indexes.get(resources);
  if (!index) {
    const byKey = new Map<string, MeshResource[]>();
    const position = new Map<MeshResource, number>();
    resources.forEach((r, i) => {
      position.set(r, i);
      const k = key({ group: groupOf(r.apiVersion), kind: r.kind }, r.metadata.namespace);
      const list = byKey.get(k);
      if (list) list.push(r);
      else byKey.set(k, [r]);
    });
    index = { byKey, position, subsets: new Map(), merged: new Map() };
    indexes.set(resources, index);
  }
  return index;
}

/** The resources of a kind in one namespace (cluster-scoped ones: namespace undefined), in list order. */
export function resourcesOf<Spec>(resources: readonly MeshResource[], kind: ResourceKind<Spec>, namespace: string | undefined): readonly ResourceOf<Spec>[] {
  return ofKind(kind, indexOf(resources).byKey.get(key(kind, namespace)) ?? []);
}

/** The one place a resource's spec is taken to have its kind's shape: the index keys by group and kind, so every resource under a key is of it. */
const ofKind = <Spec>(_kind: ResourceKind<Spec>, list: readonly MeshResource[]) => list as readonly ResourceOf<Spec>[];

/** The resources of a kind in any of several namespaces, in list order. */
export function resourcesIn<Spec>(resources: readonly MeshResource[], kind: ResourceKind<Spec>, namespaces: readonly string[]): readonly ResourceOf<Spec>[] {
  const index = indexOf(resources);
  // The usual asks (one namespace; a workload's and the root's) without building a set and a sorted key.
  if (namespaces.length === 1 || (namespaces.length === 2 && namespaces[0] === namespaces[1])) return ofKind(kind, index.byKey.get(key(kind, namespaces[0])) ?? []);
  const unique = [...new Set(namespaces)].sort();
  const k = key(kind, unique.join('\u0000'));
  let merged = index.merged.get(k);
  if (!merged) {
    merged = unique.flatMap((ns) => index.byKey.get(key(kind, ns)) ?? []).sort((a, b) => index.position.get(a)! - index.position.get(b)!);
    index.merged.set(k, merged);
  }
  return ofKind(kind, merged);
}

/** resources.filter(predicate), remembered per list and predicate (the predicate must be a stable function). */
export function subsetOf(resources: readonly MeshResource[], predicate: (r: MeshResource) => boolean): readonly MeshResource[] {
  const index = indexOf(resources);
  let subset = index.subsets.get(predicate);
  if (!subset) {
    subset = resources.filter(predicate);
    index.subsets.set(predicate, subset);
  }
  return subset;
}
