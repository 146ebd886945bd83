/**
 * The controller under faults only the API test server injects on demand, through
 * @kubernetes/client-node: dropped watches and an API server restart, compacted watch history (410
 * Gone), 409 and 500 answers. Its logic is reconcile.test.ts's (in memory, no HTTP); on the real
 * kube-apiserver it is e2e/controller*.test.ts's, leader election on a real Lease included.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { eventually, type TestClient, type K8sObject } from '../support/kube-api/client.js';
import { istioBookstore } from '../support/istio-bookstore.js';
import { runController, type Running } from '../../src/controller/runtime.js';
import { istio } from '../../src/targets/istio/index.js';
import { DEFAULT_OPTIONS } from '../../src/targets/target.js';

const quiet = pino({ level: 'silent' });
const start = (kubeconfig: string) => runController({ target: istio, translate: DEFAULT_OPTIONS, mode: 'strict', kubeconfig, log: quiet, batchDelayMs: 5 });
const policies = (client: TestClient) => client.list('security.istio.io/v1', 'AuthorizationPolicy', 'bookstore');

async function settled(r: Running): Promise<void> {
  await new Promise((res) => setTimeout(res, 50));
  await r.controller.idle();
}

describe('smi controller (istio) under API server faults', () => {
  let env: Awaited<ReturnType<typeof istioBookstore>>;
  let running: Running;
  before(async () => {
    env = await istioBookstore();
    running = await start(env.kubeconfig);
    await settled(running);
    await eventually(async () => ((await policies(env.client)).length >= 3 ? true : undefined), 10_000, 'the bookstore policies');
  });
  after(async () => {
    await running?.stop();
    await env?.server.stop();
  });

  test('dropped watches and an API server restart: changes still arrive, each written once', async () => {
    env.server.dropWatches();
    await env.client.put({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'auditor', namespace: 'bookstore' } });
    const tt = { apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 'auditor-reads', namespace: 'bookstore' }, spec: { destination: { kind: 'ServiceAccount', name: 'bookwarehouse', namespace: 'bookstore' }, rules: [{ kind: 'TCPRoute', name: 'bookstore-port' }], sources: [{ kind: 'ServiceAccount', name: 'auditor', namespace: 'bookstore' }] } };
    await env.client.create(tt as K8sObject);
    const granted = async () => {
      const ap = (await policies(env.client)).find((a) => a.metadata.name === 'smi-bookwarehouse');
      return JSON.stringify(ap?.spec).includes('/sa/auditor') || undefined;
    };
    await eventually(granted, 10_000, 'auditor granted after dropped watches');
    const before = running.controller.writer.writes.applies;
    await env.server.restart(200);
    await env.client.delete(tt as K8sObject);
    await eventually(async () => !(await granted()) || undefined, 15_000, 'auditor removed after API restart');
    await settled(running);
    assert.ok(running.controller.writer.writes.applies - before <= 2, `the change was written once, not repeatedly: ${running.controller.writer.writes.applies - before} applies`);
  });

  test('watch history compacted (410 Gone): the informer relists and converges', async () => {
    env.server.dropWatches();
    env.server.store.compact();
    const split = (await env.client.get({ apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 'bookstore-rollout', namespace: 'bookstore' } }))!;
    const backends = (split.spec as { backends: { service: string; weight: number }[] }).backends.map((b) => ({ ...b, weight: 1 }));
    await env.client.put({ ...split, spec: { ...(split.spec as object), backends } });
    await eventually(async () => {
      const [vs] = await env.client.list('networking.istio.io/v1', 'VirtualService', 'bookstore');
      return JSON.stringify((vs?.spec as { http: { route: { weight: number }[] }[] }).http[0]?.route.map((r) => r.weight)) === '[50,50]' || undefined;
    }, 15_000, 'weights 50/50 after relist');
  });

  test('409 and 500 from the API server are retried', async () => {
    env.server.inject({ method: 'PATCH', path: '/authorizationpolicies/', status: 500, times: 2 });
    env.server.inject({ method: 'PATCH', path: '/authorizationpolicies/', status: 409, times: 1 });
    const tt = { apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 'buyer-to-warehouse', namespace: 'bookstore' }, spec: { destination: { kind: 'ServiceAccount', name: 'bookwarehouse', namespace: 'bookstore' }, rules: [{ kind: 'TCPRoute', name: 'bookstore-port' }], sources: [{ kind: 'ServiceAccount', name: 'bookbuyer', namespace: 'bookstore' }] } };
    await env.client.create(tt as K8sObject);
    await eventually(async () => JSON.stringify((await policies(env.client)).find((a) => a.metadata.name === 'smi-bookwarehouse')?.spec).includes('/sa/bookbuyer') || undefined, 15_000, 'bookbuyer granted despite faults');
    assert.ok(env.server.requests.filter((r) => r.method === 'PATCH' && [409, 500].includes(r.status)).length >= 3, 'the faults were hit');
    await env.client.delete(tt as K8sObject);
  });

});
