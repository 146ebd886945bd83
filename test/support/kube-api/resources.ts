/**
 * The resource types the test API server serves: the built-in kinds smi and kubectl touch, and
 * whatever CustomResourceDefinitions register. One entry per group/version/resource, as discovery
 * lists them.
 */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[];
  readonly statusSubresource: boolean;
  /** The CRD's openAPIV3Schema for this version, when it is a custom resource. */
  readonly schema?: Record<string, unknown>;
  /** Set on custom resources: the version objects are stored in. */
  readonly storageVersion?: string;
}

const builtin = (group: string, version: string, resource: string, kind: string, namespaced: boolean, statusSubresource = false, shortNames: string[] = []): ResourceType => ({
  group, version, resource, kind, namespaced, statusSubresource, shortNames, singular: kind.toLowerCase(),
});

export const BUILTIN: readonly ResourceType[] = [
  builtin('', 'v1', 'namespaces', 'Namespace', false, true, ['ns']),
  builtin('', 'v1', 'services', 'Service', true, true, ['svc']),
  builtin('', 'v1', 'serviceaccounts', 'ServiceAccount', true, false, ['sa']),
  builtin('', 'v1', 'pods', 'Pod', true, true, ['po']),
  builtin('', 'v1', 'configmaps', 'ConfigMap', true, false, ['cm']),
  builtin('', 'v1', 'secrets', 'Secret', true),
  builtin('', 'v1', 'events', 'Event', true, false, ['ev']),
  builtin('apps', 'v1', 'deployments', 'Deployment', true, true, ['deploy']),
  builtin('apps', 'v1', 'statefulsets', 'StatefulSet', true, true, ['sts']),
  builtin('apps', 'v1', 'daemonsets', 'DaemonSet', true, true, ['ds']),
  builtin('apps', 'v1', 'replicasets', 'ReplicaSet', true, true, ['rs']),
  builtin('batch', 'v1', 'jobs', 'Job', true, true),
  builtin('batch', 'v1', 'cronjobs', 'CronJob', true, true, ['cj']),
  builtin('events.k8s.io', 'v1', 'events', 'Event', true, false, ['ev']),
  builtin('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  builtin('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, true, ['crd', 'crds']),
  builtin('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  builtin('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  builtin('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  builtin('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  builtin('admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', false),
  builtin('apiregistration.k8s.io', 'v1', 'apiservices', 'APIService', false, true),
  builtin('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, true, ['pdb']),
  builtin('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, false, ['netpol']),
];

export const apiVersionOf = (t: Pick<ResourceType, 'group' | 'version'>): string => (t.group === '' ? t.version : `${t.group}/${t.version}`);

/** Where objects of a type live, whatever version they are served in. */
export const storageKey = (t: Pick<ResourceType, 'group' | 'resource'>): string => `${t.group}/${t.resource}`;

interface CrdVersion { name: string; served?: boolean; storage?: boolean; schema?: { openAPIV3Schema?: Record<string, unknown> }; subresources?: { status?: unknown } }
export interface CrdObject {
  metadata: { name: string };
  spec: { group: string; scope: string; names: { plural: string; singular?: string; kind: string; shortNames?: string[] }; versions: CrdVersion[] };
}

/** The resource types a CustomResourceDefinition serves. */
export function typesOfCrd(crd: CrdObject): ResourceType[] {
  const storage = crd.spec.versions.find((v) => v.storage)?.name ?? crd.spec.versions[0]?.name;
  return crd.spec.versions.filter((v) => v.served !== false).map((v) => ({
    group: crd.spec.group,
    version: v.name,
    resource: crd.spec.names.plural,
    singular: crd.spec.names.singular ?? crd.spec.names.kind.toLowerCase(),
    kind: crd.spec.names.kind,
    namespaced: crd.spec.scope === 'Namespaced',
    shortNames: crd.spec.names.shortNames ?? [],
    statusSubresource: v.subresources?.status !== undefined,
    ...(v.schema?.openAPIV3Schema ? { schema: v.schema.openAPIV3Schema } : {}),
    ...(storage ? { storageVersion: storage } : {}),
  }));
}
