/**
 * Installing smi must not take a cluster's traffic down: with the bookstore plus an ingress gateway in
 * istio-system, DNS in kube-system and smi's own Deployment in smi-system, the Istio controller in
 * strict mode writes nothing outside the namespaces in its scope. A namespace labelled
 * smi-spec.io/enforce=true joins the scope while the controller runs; the scope is exported as a metric.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentYaml } from '../support/policy.js';
import { istioBookstoreInMemory } from '../support/istio-bookstore.js';
import { controllerOn, type MemoryController } from '../support/memory-controller.js';
import type { MemoryCluster } from '../support/memory-cluster.js';
import { istio } from '../../src/targets/istio/index.js';

const SYSTEM = ['istio-system', 'kube-system', 'smi-system'];

describe('the controller keeps to its scope', () => {
  let cluster: MemoryCluster;
  let running: MemoryController;
  const policies = async () => cluster.list('security.istio.io/v1', 'AuthorizationPolicy');
  const where = async () => [...new Set((await policies()).map((p) => p.metadata.namespace))].sort();

  before(async () => {
    cluster = istioBookstoreInMemory();
    cluster.putYaml(deploymentYaml('istio-system', 'istio-ingressgateway', 'istio-ingressgateway', [8080, 8443]));
    cluster.putYaml(deploymentYaml('kube-system', 'coredns', 'coredns', [53]));
    cluster.putYaml(deploymentYaml('smi-system', 'smi-controller', 'smi-controller', [9090]));
    cluster.putYaml(deploymentYaml('payments', 'ledger', 'ledger', [8080]));
    running = await controllerOn(cluster, { target: istio });
    await running.settled();
  });
  after(async () => running?.stop());

  test('strict mode: policies in bookstore only; nothing in istio-system, kube-system, smi-system, or a namespace without SMI', async () => {
    assert.deepEqual(await where(), ['bookstore']);
    const metrics = await running.metrics.registry.getSingleMetricAsString('smi_controller_namespace_in_scope');
    assert.match(metrics, /namespace="bookstore"} 1/);
    for (const ns of [...SYSTEM, 'payments']) assert.match(metrics, new RegExp(`namespace="${ns}"} 0`));
  });

  test('labelling a namespace smi-spec.io/enforce=true brings it in: deny-by-default appears there, and only there', async () => {
    cluster.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments', labels: { 'smi-spec.io/enforce': 'true' } } });
    await running.settled();
    assert.deepEqual(await where(), ['bookstore', 'payments']);
    assert.match(await running.metrics.registry.getSingleMetricAsString('smi_controller_namespace_in_scope'), /namespace="payments"} 1/);
  });

  test('a TrafficTarget in kube-system is left alone, and its status says why', async () => {
    cluster.putYaml(`apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: any, namespace: kube-system}
spec: {}
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: dns, namespace: kube-system}
spec:
  destination: {kind: ServiceAccount, name: coredns, namespace: kube-system}
  rules: [{kind: TCPRoute, name: any}]
  sources: [{kind: ServiceAccount, name: bookbuyer, namespace: bookstore}]
`);
    await running.settled();
    const tt = cluster.get('access.smi-spec.io/v1alpha3', 'TrafficTarget', 'kube-system', 'dns');
    const programmed = (tt?.status as { conditions: { type: string; status: string; reason: string }[] }).conditions.find((c) => c.type === 'Programmed')!;
    assert.deepEqual([programmed.status, programmed.reason], ['False', 'OutOfScope']);
    assert.ok(!(await where()).includes('kube-system'));
  });
});
