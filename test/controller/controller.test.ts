/**
 * The controller against the Kubernetes API test server, through @kubernetes/client-node: apply →
 * mesh resources appear and fit the mesh's CRDs; update → converge; delete → cleaned up; restart →
 * zero writes; dropped watches, API restarts, 409/500 → recovered; leader election; invalid SMI →
 * conditions and Events and nothing granted.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { stringify } from 'yaml';
import { eventually, TestClient, type K8sObject } from '../support/kube-api/client.js';
import { CrdSchemas } from '../support/crd-schemas.js';
import { istioBookstore } from '../support/istio-bookstore.js';
import { runController, type Running } from '../../src/controller/runtime.js';
import { istio } from '../../src/targets/istio/index.js';
import { DEFAULT_OPTIONS } from '../../src/targets/target.js';

const schemas = new CrdSchemas('crds/istio');
const quiet = pino({ level: 'silent' });

const cluster = istioBookstore;

const start = (kubeconfig: string, extra: Partial<Parameters<typeof runController>[0]> = {}) =>
  runController({ target: istio, translate: DEFAULT_OPTIONS, mode: 'strict', kubeconfig, log: quiet, batchDelayMs: 5, ...extra });

const policies = (client: TestClient) => client.list('security.istio.io/v1', 'AuthorizationPolicy', 'bookstore');
const names = (os: K8sObject[]) => os.map((o) => o.metadata.name).sort();
const writesOf = (r: Running) => { const w = r.controller.writer.writes; return w.applies + w.deletes + w.statuses + w.events; };

async function settled(r: Running): Promise<void> {
  await new Promise((res) => setTimeout(res, 50));
  await r.controller.idle();
}

describe('smi controller (istio) on the API test server', () => {
  let env: Awaited<ReturnType<typeof cluster>>;
  let running: Running;
  before(async () => {
    env = await cluster();
    running = await start(env.kubeconfig);
    await settled(running);
  });
  after(async () => {
    await running?.stop();
    await env?.server.stop();
  });

  test('apply: the mesh resources appear, fit the Istio CRDs, carry smi marks and owners; SMI objects get conditions', async () => {
    const aps = await eventually(async () => { const l = await policies(env.client); return l.length >= 3 ? l : undefined; }, 10_000, 'AuthorizationPolicies');
    assert.deepEqual(names(aps), ['smi--deny-by-default', 'smi-bookstore', 'smi-bookwarehouse']);
    const vss = await env.client.list('networking.istio.io/v1', 'VirtualService', 'bookstore');
    assert.equal(vss.length, 1);
    for (const o of [...aps, ...vss]) {
      const { metadata: _m, status: _s, ...rest } = o;
      assert.deepEqual(schemas.problems({ ...rest, metadata: { name: o.metadata.name } } as never), [], `${o.kind} ${o.metadata.name}`);
      assert.equal((o.metadata.labels as Record<string, string>)['app.kubernetes.io/managed-by'], 'smi');
      assert.ok(((o.metadata.managedFields as { manager: string }[]) ?? []).some((m) => m.manager === 'smi-controller'), 'written by server-side apply under smi-controller');
    }
    const owners = (aps.find((a) => a.metadata.name === 'smi-bookwarehouse')!.metadata.ownerReferences as { kind: string; name: string }[]);
    assert.deepEqual(owners.map((o) => `${o.kind}/${o.name}`), ['TrafficTarget/bookstore-to-bookwarehouse']);
    const tt = await env.client.get({ apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 'bookstore-to-bookwarehouse', namespace: 'bookstore' } });
    const conditions = (tt?.status as { conditions: { type: string; status: string; observedGeneration: number }[] }).conditions;
    assert.deepEqual(conditions.map((c) => [c.type, c.status, c.observedGeneration]), [['Accepted', 'True', 1], ['ResolvedRefs', 'True', 1], ['Programmed', 'True', 1]]);
  });

  test('update: changed weights converge on the VirtualService', async () => {
    const split = (await env.client.get({ apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 'bookstore-rollout', namespace: 'bookstore' } }))!;
    const backends = (split.spec as { backends: { service: string; weight: number }[] }).backends.map((b) => ({ ...b, weight: b.service.endsWith('v1') ? 1 : 3 }));
    await env.client.put({ ...split, spec: { ...(split.spec as object), backends } });
    await eventually(async () => {
      const [vs] = await env.client.list('networking.istio.io/v1', 'VirtualService', 'bookstore');
      const weights = ((vs?.spec as { http: { route: { weight: number }[] }[] }).http[0]?.route ?? []).map((r) => r.weight);
      return JSON.stringify(weights) === JSON.stringify([25, 75]);
    }, 10_000, 'weights 25/75');
  });

  test('delete: removing a TrafficTarget removes what it alone produced', async () => {
    const tt = { apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 'bookstore-to-bookwarehouse', namespace: 'bookstore' } };
    const saved = (await env.client.get(tt))!;
    assert.equal(await env.client.delete(saved), 200);
    await eventually(async () => !names(await policies(env.client)).includes('smi-bookwarehouse') || undefined, 10_000, 'smi-bookwarehouse to go');
    // The deny-all for the destination stays: strict mode locks every workload down.
    assert.ok(names(await policies(env.client)).includes('smi--deny-by-default'));
    const { metadata, status: _s, ...rest } = saved;
    await env.client.create({ ...rest, metadata: { name: metadata.name, namespace: metadata.namespace } } as K8sObject);
    await eventually(async () => names(await policies(env.client)).includes('smi-bookwarehouse') || undefined, 10_000, 'smi-bookwarehouse back');
  });

  test('restart with nothing changed: zero writes', async () => {
    await settled(running);
    await running.stop();
    running = await start(env.kubeconfig);
    await settled(running);
    assert.equal(writesOf(running), 0, JSON.stringify(running.controller.writer.writes));
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

  test('invalid SMI: Accepted=False with the reason, a Warning Event, and nothing granted to its sources', async () => {
    await env.client.put({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'intruder', namespace: 'bookstore' } });
    const bad = { apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 'bad-target', namespace: 'bookstore' }, spec: { destination: { kind: 'ServiceAccount', name: 'bookstore', namespace: 'bookstore' }, rules: [{ kind: 'TCPRoute', name: 'bookstore-port' }], sources: [{ kind: 'Group', name: 'intruder', namespace: 'bookstore' }] } };
    await env.client.create(bad as K8sObject);
    const status = await eventually(async () => {
      const o = await env.client.get(bad as K8sObject);
      const c = (o?.status as { conditions?: { type: string; status: string; reason: string; message: string }[] } | undefined)?.conditions;
      return c?.find((x) => x.type === 'Accepted' && x.status === 'False') ? c : undefined;
    }, 10_000, 'Accepted=False');
    assert.equal(status.find((c) => c.type === 'Programmed')?.status, 'False');
    const events = await eventually(async () => { const e = await env.client.list('v1', 'Event', 'bookstore'); return e.some((x) => (x.involvedObject as { name: string }).name === 'bad-target') ? e : undefined; }, 10_000, 'an Event');
    assert.ok(events.some((e) => e.type === 'Warning'));
    for (const ap of await policies(env.client)) assert.ok(!JSON.stringify(ap.spec).includes('intruder'), stringify(ap.spec));
  });
});

describe('smi controller: leader election', () => {
  test('two replicas: only the leader writes; when it stops, the standby takes over', async () => {
    const env = await cluster();
    await env.client.ensureNamespace('smi-system');
    const lease = { namespace: 'smi-system', name: 'smi-controller-istio', leaseDurationSeconds: 1, retryPeriodMs: 150 };
    const a = await start(env.kubeconfig, { leaderElect: { ...lease, identity: 'a' } });
    let b: Awaited<ReturnType<typeof start>> | undefined;
    try {
      await eventually(async () => a.elector?.isLeader || undefined, 5_000, 'a leads');
      b = await start(env.kubeconfig, { leaderElect: { ...lease, identity: 'b' } });
      await eventually(async () => (await policies(env.client)).length >= 3 || undefined, 10_000, 'resources from the leader');
      await settled(a);
      assert.ok(writesOf(a) > 0);
      assert.equal(writesOf(b), 0, 'the standby writes nothing');
      assert.equal(b.elector?.isLeader, false);
      await a.stop();
      await eventually(async () => b!.elector?.isLeader || undefined, 5_000, 'b takes over');
      const [wh] = (await policies(env.client)).filter((p) => p.metadata.name === 'smi-bookwarehouse');
      await env.client.delete(wh!);
      await eventually(async () => names(await policies(env.client)).includes('smi-bookwarehouse') || undefined, 10_000, 'b repairs the deleted policy');
      assert.ok(writesOf(b) > 0);
    } finally {
      await a.stop();
      await b?.stop();
    }
    await env.server.stop();
  });
});
