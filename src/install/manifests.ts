/**
 * What installing smi means, as Kubernetes objects: the SMI CRDs (the same as `smi crds`), a
 * Namespace, the controller's ServiceAccount with least-privilege RBAC for one mesh (read SMI and
 * the inventory, write SMI status and only that mesh's kinds, Events, its own Lease; no
 * wildcards), the Deployment (non-root, read-only root filesystem, requests, probes) and the
 * metrics Service; with a webhook, its Service, ValidatingWebhookConfiguration, the CRDs' conversion
 * stanza and a certificate (generated, or from cert-manager). deploy/ is generated from this (npm run deploy:generate), never edited by hand.
 */
import { allCrds } from '../api/crds.js';
import { KINDS } from '../api/registry.js';
import { ownedKinds } from '../controller/controller.js';
import { INVENTORY_KINDS, NAMESPACE_KIND } from '../api/watched-kinds.js';
import type { Target, TranslateOptions } from '../targets/target.js';
import { translateArguments } from '../targets/option-flags.js';
import { smiNetworkPolicies } from './network-policy.js';
import { findTarget } from '../targets/registry.js';

export type WebhookInstall = { readonly mode: 'none' } | { readonly mode: 'cert-manager' } | { readonly mode: 'generate'; readonly caPem: string; readonly certPem: string; readonly keyPem: string };

export interface InstallOptions {
  readonly webhook?: WebhookInstall;
  /** Serve the TrafficMetrics API from this Prometheus (an APIService, its Service and Deployment). */
  readonly metrics?: { readonly prometheusUrl: string; readonly mesh: string };
  readonly target: Target;
  readonly translate: TranslateOptions;
  readonly namespace: string;
  readonly image: string;
  readonly replicas: number;
  readonly accessMode: string;
  /** NetworkPolicies for smi's own namespace (default on); see network-policy.ts. */
  readonly networkPolicy?: { readonly apiServerCidrs?: readonly string[]; readonly metricsFrom?: readonly string[] } | false;
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
  for (const g of byGroup([...INVENTORY_KINDS, NAMESPACE_KIND].map((k) => ({ group: groupOf(k.apiVersion), resource: k.resource })))) out.push({ apiGroups: [g.group], resources: g.resources, verbs: ['get', 'list', 'watch'] });
  out.push({ apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch', 'create', 'patch'] });
  for (const g of byGroup(ownedKinds(options.target, options.translate).map((k) => ({ group: groupOf(k.apiVersion), resource: k.resource })))) {
    out.push({ apiGroups: [g.group], resources: g.resources, verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'] });
  }
  // Annotations on existing namespaces (Target.annotatesNamespaces), by server-side apply (patch); never create or delete them.
  if (options.target.annotatesNamespaces?.(options.translate)) out.push({ apiGroups: [''], resources: ['namespaces'], verbs: ['patch'] });
  return out;
}

const WEBHOOK = 'smi-webhook';
const METRICS = 'smi-metrics';
/** One serving certificate for the webhook and the TrafficMetrics API Services. */
export const servingNames = (ns: string): string[] => [WEBHOOK, METRICS].flatMap((n) => [`${n}.${ns}.svc`, `${n}.${ns}.svc.cluster.local`]);
const WEBHOOK_SECRET = 'smi-webhook-tls';
const b64 = (text: string) => Buffer.from(text).toString('base64');

function controllerArgs(options: InstallOptions): string[] {
  const webhook = options.webhook && options.webhook.mode !== 'none';
  return [
    'controller', '--mesh', options.target.name, '--access-mode', options.accessMode,
    // Options of the controller command: they follow it (before it they would be unknown to `smi`).
    ...(webhook ? ['--webhook-port', '9443', '--tls-cert-file', '/tls/tls.crt', '--tls-private-key-file', '/tls/tls.key'] : []),
    '--leader-elect', '--leader-elect-namespace', options.namespace,
    '--metrics-addr', ':9090', '--health-addr', ':8081',
    ...translateArguments(options.translate),
  ];
}

/** The admission and conversion webhook's Service, configuration and certificate (Secret, or cert-manager). */
function webhookObjects(options: InstallOptions, meta: (n: string, namespaced?: boolean) => Obj): { objects: Obj[]; caBundle?: string; annotations: Record<string, string> } {
  const w = options.webhook;
  if (!w || w.mode === 'none') return { objects: [], annotations: {} };
  const ns = options.namespace;
  const caBundle = w.mode === 'generate' ? b64(w.caPem) : undefined;
  const annotations: Record<string, string> = w.mode === 'cert-manager' ? { 'cert-manager.io/inject-ca-from': `${ns}/${WEBHOOK}` } : {};
  const groups = [...new Set(KINDS.filter((k) => k.crd).map((k) => k.group))].sort();
  const objects: Obj[] = [
    { apiVersion: 'v1', kind: 'Service', metadata: meta(WEBHOOK), spec: { selector: { 'app.kubernetes.io/name': 'smi-controller' }, ports: [{ name: 'https', port: 443, targetPort: 'webhook' }] } },
    {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { ...meta('smi-validation', false), ...(w.mode === 'cert-manager' ? { annotations } : {}) },
      webhooks: [{
        name: 'validate.smi-spec.io', admissionReviewVersions: ['v1'], sideEffects: 'None', timeoutSeconds: 5,
        // Fail: bad SMI never gets in. The rules match SMI groups only, so a down webhook blocks SMI writes and nothing else.
        failurePolicy: 'Fail', matchPolicy: 'Equivalent',
        clientConfig: { service: { namespace: ns, name: WEBHOOK, path: '/validate', port: 443 }, ...(caBundle ? { caBundle } : {}) },
        rules: [{ apiGroups: groups, apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['*'], scope: 'Namespaced' }],
      }],
    },
  ];
  if (w.mode === 'generate') {
    objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: meta(WEBHOOK_SECRET), type: 'kubernetes.io/tls', data: { 'tls.crt': b64(w.certPem), 'tls.key': b64(w.keyPem), 'ca.crt': b64(w.caPem) } });
  } else {
    objects.push(
      { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: meta('smi-selfsigned'), spec: { selfSigned: {} } },
      { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: meta(WEBHOOK), spec: { secretName: WEBHOOK_SECRET, dnsNames: servingNames(ns), issuerRef: { kind: 'Issuer', name: 'smi-selfsigned' } } },
    );
  }
  return { objects, ...(caBundle ? { caBundle } : {}), annotations };
}

/**
 * Exactly what the metrics server reads (metrics/resolver.ts), and no more: `list` (never `get` or
 * `watch`) of the kinds a label selector can pick and of TrafficSplits; a mesh whose edges are told
 * by the Services in front of a workload (App Mesh) adds `get` of that workload and `list` of
 * Services. Anything broader (Secrets, ConfigMaps, cluster-wide `get` of pods) would be reach a
 * compromised metrics server does not need.
 */
export function metricsServerRules(mesh: string): Obj[] {
  const metrics = findTarget(mesh)?.metrics;
  const fronting = Boolean(metrics?.edges?.from?.needsFronting || metrics?.edges?.to?.needsFronting);
  return [
    { apiGroups: [''], resources: ['namespaces', 'pods'], verbs: ['list'] },
    { apiGroups: ['apps'], resources: ['daemonsets', 'deployments', 'statefulsets'], verbs: ['list'] },
    { apiGroups: ['split.smi-spec.io'], resources: ['trafficsplits'], verbs: ['list'] },
    ...(fronting ? [
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
      { apiGroups: [''], resources: ['services'], verbs: ['list'] },
      { apiGroups: ['apps'], resources: ['daemonsets', 'deployments', 'statefulsets'], verbs: ['get'] },
    ] : []),
  ];
}

/** The TrafficMetrics API: APIServices for both versions, its Service and Deployment, and the RBAC an aggregated API needs. */
function metricsObjects(options: InstallOptions, meta: (n: string, namespaced?: boolean) => Obj, caBundle: string | undefined, annotations: Record<string, string>): Obj[] {
  const m = options.metrics;
  if (!m) return [];
  const ns = options.namespace;
  const labels = { 'app.kubernetes.io/name': 'smi-metrics-server', 'app.kubernetes.io/part-of': 'smi' };
  const tls = options.webhook && options.webhook.mode !== 'none';
  return [
    ...['v1alpha2', 'v1alpha1'].map((version) => ({
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { ...meta(`${version}.metrics.smi-spec.io`, false), ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
      spec: { group: 'metrics.smi-spec.io', version, groupPriorityMinimum: 100, versionPriority: version === 'v1alpha2' ? 20 : 10, service: { namespace: ns, name: METRICS, port: 443 }, ...(caBundle ? { caBundle } : {}) },
    })),
    { apiVersion: 'v1', kind: 'Service', metadata: meta(METRICS), spec: { selector: { 'app.kubernetes.io/name': 'smi-metrics-server' }, ports: [{ name: 'https', port: 443, targetPort: 'https' }] } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('smi-metrics-server') },
    // Aggregated API servers read the front-proxy CA from kube-system and may delegate authentication.
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'smi-metrics-server-auth-reader', namespace: 'kube-system', labels: { ...labels } }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'smi-metrics-server', namespace: ns }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: meta('smi-metrics-server-auth-delegator', false), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' }, subjects: [{ kind: 'ServiceAccount', name: 'smi-metrics-server', namespace: ns }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta('smi-metrics-server', false), rules: metricsServerRules(m.mesh) },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: meta('smi-metrics-server', false), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'smi-metrics-server' }, subjects: [{ kind: 'ServiceAccount', name: 'smi-metrics-server', namespace: ns }] },
    // Who may read TrafficMetrics: bind this to users (kubectl top-style readers).
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta('smi-metrics-reader', false), rules: [{ apiGroups: ['metrics.smi-spec.io'], resources: ['namespaces', 'deployments', 'pods', 'daemonsets', 'statefulsets', 'trafficsplits', 'deployments/edges', 'pods/edges', 'daemonsets/edges', 'statefulsets/edges'], verbs: ['get', 'list'] }] },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('smi-metrics-server'),
      spec: {
        replicas: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'smi-metrics-server' } },
        template: {
          metadata: { labels: { ...labels } },
          spec: {
            serviceAccountName: 'smi-metrics-server',
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'metrics-server', image: options.image,
              args: ['metrics-server', '--prometheus-url', m.prometheusUrl, '--mesh', m.mesh, '--secure-port', '6443', ...(tls ? ['--tls-cert-file', '/tls/tls.crt', '--tls-private-key-file', '/tls/tls.key'] : [])],
              ports: [{ name: 'https', containerPort: 6443 }],
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
              readinessProbe: { httpGet: { path: '/readyz', port: 'https', scheme: tls ? 'HTTPS' : 'HTTP' }, periodSeconds: 5 },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              ...(tls ? { volumeMounts: [{ name: 'tls', mountPath: '/tls', readOnly: true }] } : {}),
            }],
            ...(tls ? { volumes: [{ name: 'tls', secret: { secretName: WEBHOOK_SECRET } }] } : {}),
          },
        },
      },
    },
  ];
}

export function installManifests(options: InstallOptions): Obj[] {
  const ns = options.namespace;
  const name = 'smi-controller';
  const meta = (n: string, namespaced = true) => ({ name: n, ...(namespaced ? { namespace: ns } : {}), labels: { ...LABELS } });
  const clusterRole = `smi-controller-${options.target.name}`;
  const webhook = webhookObjects(options, meta);
  const crds = options.webhook && options.webhook.mode !== 'none'
    ? allCrds({ conversionWebhook: { namespace: ns, name: WEBHOOK, ...(webhook.caBundle ? { caBundle: webhook.caBundle } : {}) } }).map((c) => (Object.keys(webhook.annotations).length > 0 ? { ...c, metadata: { ...(c.metadata as Obj), annotations: webhook.annotations } } : c))
    : allCrds();
  const tlsMount = options.webhook && options.webhook.mode !== 'none';
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { ...LABELS } } },
    ...crds,
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
              ports: [{ name: 'metrics', containerPort: 9090 }, { name: 'health', containerPort: 8081 }, ...(tlsMount ? [{ name: 'webhook', containerPort: 9443 }] : [])],
              ...(tlsMount ? { volumeMounts: [{ name: 'tls', mountPath: '/tls', readOnly: true }] } : {}),
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
              livenessProbe: { httpGet: { path: '/healthz', port: 'health' }, periodSeconds: 10 },
              readinessProbe: { httpGet: { path: '/readyz', port: 'health' }, periodSeconds: 5 },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            }],
            ...(tlsMount ? { volumes: [{ name: 'tls', secret: { secretName: WEBHOOK_SECRET } }] } : {}),
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: meta('smi-controller-metrics'), spec: { selector: { 'app.kubernetes.io/name': name }, ports: [{ name: 'metrics', port: 9090, targetPort: 'metrics' }] } },
    ...webhook.objects,
    ...metricsObjects(options, meta, webhook.caBundle, webhook.annotations),
    ...(options.networkPolicy === false ? [] : smiNetworkPolicies({
      namespace: ns, labels: { ...LABELS }, webhook: Boolean(tlsMount), metricsServer: Boolean(options.metrics),
      ...(options.networkPolicy?.apiServerCidrs ? { apiServerCidrs: options.networkPolicy.apiServerCidrs } : {}),
      ...(options.networkPolicy?.metricsFrom ? { metricsFrom: options.networkPolicy.metricsFrom } : {}),
    })),
  ];
}
