/** smi's own pods: what `smi install` lets in, judged by the NetworkPolicy evaluator the fence uses. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installManifests } from '../../src/install/manifests.js';
import { istio } from '../../src/targets/istio/index.js';
import { DEFAULT_OPTIONS, type MeshResource } from '../../src/targets/target.js';
import { evaluateNetworkPolicies, type PeerPod } from '../../src/targets/fence/evaluate.js';
import type { Workload } from '../../src/policy/model.js';

const install = (networkPolicy?: Parameters<typeof installManifests>[0]['networkPolicy']) => installManifests({
  target: istio, translate: DEFAULT_OPTIONS, namespace: 'smi-system', image: 'smi:test', replicas: 1, accessMode: 'strict',
  webhook: { mode: 'cert-manager' }, metrics: { prometheusUrl: 'http://prometheus:9090', mesh: 'istio' }, ...(networkPolicy !== undefined ? { networkPolicy } : {}),
}) as unknown as MeshResource[];

const pod = (name: string): Workload => ({ kind: 'Pod', namespace: 'smi-system', name, labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'smi' }, serviceAccount: name, ports: [] });
const from = (namespace: string): PeerPod[] => [{ namespace, namespaceLabels: { 'kubernetes.io/metadata.name': namespace }, labels: { app: 'anything' } }];
const reach = (resources: MeshResource[], to: string, port: number, namespace: string) =>
  evaluateNetworkPolicies(resources.filter((r) => r.kind === 'NetworkPolicy'), pod(to), { protocol: 'TCP', port, from: from(namespace) }).allowed;

test('by default no pod reaches the controller\'s /metrics, /healthz or /plan, nor anything else of smi\'s', () => {
  const r = install();
  for (const [to, port] of [['smi-controller', 9090], ['smi-controller', 8081], ['smi-metrics-server', 8081]] as const) {
    for (const ns of ['default', 'smi-system', 'monitoring']) assert.equal(reach(r, to, port, ns), false, `${ns} → ${to}:${port}`);
  }
});

test('the webhook and the TrafficMetrics API: from the API server CIDRs given, and only on their ports', () => {
  const open = install();
  // Without CIDRs the two ports take any address (the API server cannot be named otherwise)...
  assert.equal(reach(open, 'smi-controller', 9443, 'default'), true);
  assert.equal(reach(open, 'smi-metrics-server', 6443, 'default'), true);
  // ...with them, only those addresses (ipBlocks: no pod of the cluster fits).
  const closed = install({ apiServerCidrs: ['10.0.0.1/32'] });
  assert.equal(reach(closed, 'smi-controller', 9443, 'default'), false);
  const webhook = closed.find((r) => r.metadata.name === 'smi-webhook-from-api-server')!;
  assert.deepEqual((webhook.spec as { ingress: unknown[] }).ingress, [{ from: [{ ipBlock: { cidr: '10.0.0.1/32' } }], ports: [{ protocol: 'TCP', port: 9443 }] }]);
});

test('metrics and health are opened to the namespaces named, and to no other', () => {
  const r = install({ metricsFrom: ['monitoring'] });
  assert.equal(reach(r, 'smi-controller', 9090, 'monitoring'), true);
  assert.equal(reach(r, 'smi-controller', 8081, 'monitoring'), true);
  assert.equal(reach(r, 'smi-controller', 9090, 'default'), false);
  assert.equal(reach(r, 'smi-controller', 9443, 'monitoring'), true, 'the webhook port stays as it was');
});

test('--no-network-policy writes none', () => {
  assert.equal(install(false).filter((r) => r.kind === 'NetworkPolicy').length, 0);
});
