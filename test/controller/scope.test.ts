/**
 * Installing smi must not take a cluster's traffic down: with the bookstore plus an ingress gateway in
 * istio-system, DNS in kube-system and smi's own Deployment in smi-system, the Istio controller in
 * strict mode writes nothing outside the namespaces in its scope. A namespace labelled
 * smi-spec.io/enforce=true joins the scope while the controller runs; the scope is exported as a metric.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { KubeApiServer } from '../support/kube-api/server.js';
import { eventually, type TestClient } from '../support/kube-api/client.js';
import { deploymentYaml } from '../support/policy.js';
import { istioBookstore } from '../support/istio-bookstore.js';
import { runController, type Running } from '../../src/controller/runtime.js';
import { istio } from '../../src/targets/istio/index.js';
import { DEFAULT_OPTIONS } from '../../src/targets/target.js';

const SYSTEM = ['istio-system', 'kube-system', 'smi-system'];

describe('the controller keeps to its scope', () => {
  let server: KubeApiServer;
  let client: TestClient;
  let running: Running;
  const policies = async () => client.list('security.istio.io/v1', 'AuthorizationPolicy');
  const where = async () => [...new Set((await policies()).map((p) => p.metadata.namespace))].sort();

  before(async () => {
    let kubeconfig: string;
    ({ server, client, kubeconfig } = await istioBookstore());
    await client.applyYaml(deploymentYaml('istio-system', 'istio-ingressgateway', 'istio-ingressgateway', [8080, 8443]));
    await client.applyYaml(deploymentYaml('kube-system', 'coredns', 'coredns', [53]));
    await client.applyYaml(deploymentYaml('smi-system', 'smi-controller', 'smi-controller', [9090]));
    await client.applyYaml(deploymentYaml('payments', 'ledger', 'ledger', [8080]));
    running = await runController({ target: istio, translate: DEFAULT_OPTIONS, mode: 'strict', kubeconfig, log: pino({ level: 'silent' }), batchDelayMs: 5 });
  });
  after(async () => {
    await running?.stop();
    await server?.stop();
  });

  test('strict mode: policies in bookstore only; nothing in istio-system, kube-system, smi-system, or a namespace without SMI', async () => {
    await eventually(async () => ((await policies()).length >= 3 ? true : undefined), 10_000, 'the bookstore policies');
    await running.controller.idle();
    assert.deepEqual(await where(), ['bookstore']);
    const metrics = await running.metrics.registry.getSingleMetricAsString('smi_controller_namespace_in_scope');
    assert.match(metrics, /namespace="bookstore"} 1/);
    for (const ns of [...SYSTEM, 'payments']) assert.match(metrics, new RegExp(`namespace="${ns}"} 0`));
  });

  test('labelling a namespace smi-spec.io/enforce=true brings it in: deny-by-default appears there, and only there', async () => {
    await client.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments', labels: { 'smi-spec.io/enforce': 'true' } } });
    await eventually(async () => ((await where()).includes('payments') ? true : undefined), 10_000, 'a policy in payments');
    assert.deepEqual(await where(), ['bookstore', 'payments']);
    assert.match(await running.metrics.registry.getSingleMetricAsString('smi_controller_namespace_in_scope'), /namespace="payments"} 1/);
  });

  test('a TrafficTarget in kube-system is left alone, and its status says why', async () => {
    await client.applyYaml(`apiVersion: specs.smi-spec.io/v1alpha4
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
    const programmed = await eventually(async () => {
      const tt = await client.get({ apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 'dns', namespace: 'kube-system' } });
      return (tt?.status as { conditions?: { type: string; status: string; reason: string }[] } | undefined)?.conditions?.find((c) => c.type === 'Programmed');
    }, 10_000, 'status on the kube-system TrafficTarget');
    assert.deepEqual([programmed.status, programmed.reason], ['False', 'OutOfScope']);
    await running.controller.idle();
    assert.ok(!(await where()).includes('kube-system'));
  });
});
