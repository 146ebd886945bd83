/**
 * A kind a mesh writes and reads, with the shape of its spec. Evaluators look resources up by it and
 * get them with their spec typed, instead of casting `spec: unknown` at each use (a cast also let a
 * misspelt field through). The API group is part of it: Istio's and Linkerd's AuthorizationPolicy,
 * Linkerd's and Gateway API's HTTPRoute share a kind name and nothing else.
 */

/** A Kubernetes object the translation writes. */
export interface MeshResource {
  apiVersion: string;
  kind: string;
  /** creationTimestamp: set on objects read from a cluster (route precedence reads it); never written. */
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string };
  spec?: unknown;
}

export interface ResourceKind<Spec> {
  /** '' for the core group (v1 Namespace, Service). */
  readonly group: string;
  readonly kind: string;
  /** Never set: carries Spec in the type only. */
  readonly spec?: Spec;
}

/** A resource of a known kind: its spec has that kind's shape (absent when the object came without one). */
export type ResourceOf<Spec> = MeshResource & { spec?: Spec };

/** The group of an apiVersion: `security.istio.io/v1` → `security.istio.io`, `v1` → ''. */
export const groupOf = (apiVersion: string): string => {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
};

export const resourceKind = <Spec>(apiVersion: string, kind: string): ResourceKind<Spec> => ({ group: groupOf(apiVersion), kind });

/** Namespaces: smi writes only annotations on them (Linkerd's default inbound policy). */
export const NAMESPACE = resourceKind<undefined>('v1', 'Namespace');

export const isOfKind = <Spec>(resource: MeshResource, kind: ResourceKind<Spec>): resource is ResourceOf<Spec> =>
  resource.kind === kind.kind && groupOf(resource.apiVersion) === kind.group;

/** The resources of a kind, in list order (a scan: resource-index.ts looks up by namespace without one). */
export const allOfKind = <Spec>(resources: readonly MeshResource[], kind: ResourceKind<Spec>): ResourceOf<Spec>[] =>
  resources.filter((r): r is ResourceOf<Spec> => isOfKind(r, kind));
