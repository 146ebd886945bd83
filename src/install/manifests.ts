/**
 * What installing smi means, as Kubernetes objects: the SMI CRDs (the same as `smi crds`), a
 * Namespace, the controller's ServiceAccount with least-privilege RBAC for one mesh (read SMI and
 * the inventory, write SMI status and only that mesh's kinds, Events, its own Lease; no
 * wildcards), the Deployment (non-root, read-only root filesystem, requests, probes) and the
 * metrics Service. deploy/ is generated from this (npm run deploy:generate), never edited by hand.
 */
import { allCrds } from '../api/crds.js';
import { KINDS } from '../api/registry.js';
import { ownedKinds } from '../controller/controller.js';
import { INVENTORY_KINDS } from '../kube/kinds.js';
import type { Target, TranslateOptions } from '../targets/target.js';

export interface InstallOptions {
  readonly target: Target;
  readonly translate: TranslateOptions;
  readonly namespace: string;
  readonly image: string;
  readonly replicas: number;
  readonly accessMode: string;
}

type Obj = Record<string, unknown>;
const LABELS = { 'app.kubernetes.io/name': 'smi-controller', 'app.kubernetes.io/part-of': 'smi' };
const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

function rules(options: InstallOptions): Obj[] {
  const smi = KINDS.filter((k) => k.crd);
  const byGroup = (list: { group: string; resource: string }[]) => {
    const m = new Map<string, Set<string>>();
    for (const x of list) m.set(x.group, (m.get(x.group) ?? new Set()).add(x.resource));
    return [...m].sort(([a], [b]) => a.localeCompare(b)).map(([group, rs]) => ({ group, resources: [...rs].sort() }));
  };
  const out: Obj[] = [];
  for (const g of byGroup(smi.map((k) => ({ group: k.group, resource: k.plural })))) out.push({ apiGroups: [g.group], resources: g.resources, verbs: ['get', 'list', 'watch'] });
  for (const g of byGroup(smi.map((k) => ({ group: k.group, resource: `${k.plural}/status` })))) out.push({ apiGroups: [g.group], resources: g.resources, verbs: ['get', 'patch', 'update'] });
  for (const g of byGroup(INVENTORY_KINDS.map((k) => ({ group: groupOf(k.apiVersion), resource: k.resource })))) out.push({ apiGroups: [g.group], resources: g.resources, verbs: ['get', 'list', 'watch'] });
  out.push({ apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] });
  for (const g of byGroup(ownedKinds(options.target, options.translate).map((k) => ({ group: groupOf(k.apiVersion), resource: k.resource })))) {
    out.push({ apiGroups: [g.group], resources: g.resources, verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'] });
  }
  return out;
}

function controllerArgs(options: InstallOptions): string[] {
  const t = options.translate;
  return [
    'controller', '--mesh', options.target.name, '--access-mode', options.accessMode,
    '--leader-elect', '--leader-elect-namespace', options.namespace,
    '--metrics-addr', ':9090', '--health-addr', ':8081',
    ...(t.trustDomain !== 'cluster.local' ? ['--trust-domain', t.trustDomain] : []),
    ...(t.clusterDomain !== 'cluster.local' ? ['--cluster-domain', t.clusterDomain] : []),
    ...(t.authz ? ['--authz', t.authz] : []),
    ...(t.linkerdDefaultPolicy ? ['--linkerd-default-policy', t.linkerdDefaultPolicy] : []),
    ...(t.consulNamespaces ? ['--consul-namespaces', t.consulNamespaces] : []),
  ];
}

export function installManifests(options: InstallOptions): Obj[] {
  const ns = options.namespace;
  const name = 'smi-controller';
  const meta = (n: string, namespaced = true) => ({ name: n, ...(namespaced ? { namespace: ns } : {}), labels: { ...LABELS } });
  const clusterRole = `smi-controller-${options.target.name}`;
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { ...LABELS } } },
    ...allCrds(),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name), automountServiceAccountToken: true },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(clusterRole, false), rules: rules(options) },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: meta(clusterRole, false), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole }, subjects: [{ kind: 'ServiceAccount', name, namespace: ns }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta('smi-controller-leader-election'), rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta('smi-controller-leader-election'), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'smi-controller-leader-election' }, subjects: [{ kind: 'ServiceAccount', name, namespace: ns }] },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(name),
      spec: {
        replicas: options.replicas,
        selector: { matchLabels: { 'app.kubernetes.io/name': name } },
        template: {
          metadata: { labels: { ...LABELS } },
          spec: {
            serviceAccountName: name,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'controller', image: options.image, args: controllerArgs(options),
              ports: [{ name: 'metrics', containerPort: 9090 }, { name: 'health', containerPort: 8081 }],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
              livenessProbe: { httpGet: { path: '/healthz', port: 'health' }, periodSeconds: 10 },
              readinessProbe: { httpGet: { path: '/readyz', port: 'health' }, periodSeconds: 5 },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            }],
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: meta('smi-controller-metrics'), spec: { selector: { 'app.kubernetes.io/name': name }, ports: [{ name: 'metrics', port: 9090, targetPort: 'metrics' }] } },
  ];
}
