/**
 * The controller's logic, without HTTP: the bookstore in a MemoryCluster (kube/cache.ts's reader and
 * kube/writer.ts's writer, as the API server keeps them) converges to Istio resources that fit Istio's
 * CRDs; update → converge; delete → cleaned up; a restart writes nothing; invalid SMI gets conditions
 * and Events and grants nothing; a replica that does not lead writes nothing. Faults (dropped watches,
 * 410, 409/500) are controller-faults.test.ts's, on the API test server; the real kube-apiserver is e2e/.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { istioBookstoreInMemory } from '../support/istio-bookstore.js';
import type { MemoryCluster } from '../support/memory-cluster.js';
import { controllerOn, type MemoryController } from '../support/memory-controller.js';
import { istio } from '../../src/targets/istio/index.js';

describe('smi controller (istio) on an in-memory cluster', () => {
  let cluster: MemoryCluster;
  let running: MemoryController;
  const policies = () => cluster.list('security.istio.io/v1', 'AuthorizationPolicy', 'bookstore');
  const names = () => policies().map((o) => o.metadata.name).sort();
  before(async () => {
    cluster = istioBookstoreInMemory();
    running = await controllerOn(cluster, { target: istio });
    await running.settled();
  });
  after(async () => running?.stop());

  test('apply: the mesh resources appear, fit the Istio CRDs, carry smi marks and owners; SMI objects get conditions', () => {
    assert.deepEqual(names(), ['smi--deny-by-default', 'smi-bookstore', 'smi-bookwarehouse']);
    const vss = cluster.list('networking.istio.io/v1', 'VirtualService', 'bookstore');
    assert.equal(vss.length, 1);
    for (const o of [...policies(), ...vss]) {
      assert.equal(o.metadata.labels?.['app.kubernetes.io/managed-by'], 'smi');
      assert.ok((o.metadata.managedFields ?? []).some((m) => m.manager === 'smi-controller'), 'written by server-side apply under smi-controller');
    }
    const owners = policies().find((a) => a.metadata.name === 'smi-bookwarehouse')!.metadata.ownerReferences ?? [];
    assert.deepEqual(owners.map((o) => `${o.kind}/${o.name}`), ['TrafficTarget/bookstore-to-bookwarehouse']);
    const tt = cluster.get('access.smi-spec.io/v1alpha3', 'TrafficTarget', 'bookstore', 'bookstore-to-bookwarehouse')!;
    const conditions = (tt.status as { conditions: { type: string; status: string; observedGeneration: number }[] }).conditions;
    assert.deepEqual(conditions.map((c) => [c.type, c.status, c.observedGeneration]), [['Accepted', 'True', 1], ['ResolvedRefs', 'True', 1], ['Programmed', 'True', 1]]);
  });

  test('update: changed weights converge on the VirtualService; the conditions follow the new generation', async () => {
    const split = cluster.get('split.smi-spec.io/v1alpha4', 'TrafficSplit', 'bookstore', 'bookstore-rollout')!;
    const backends = (split.spec as { backends: { service: string; weight: number }[] }).backends.map((b) => ({ ...b, weight: b.service.endsWith('v1') ? 1 : 3 }));
    cluster.put({ ...split, spec: { ...(split.spec as object), backends } });
    await running.settled();
    const [vs] = cluster.list('networking.istio.io/v1', 'VirtualService', 'bookstore');
    assert.deepEqual((vs!.spec as { http: { route: { weight: number }[] }[] }).http[0]!.route.map((r) => r.weight), [25, 75]);
    const after = cluster.get('split.smi-spec.io/v1alpha4', 'TrafficSplit', 'bookstore', 'bookstore-rollout')!;
    assert.equal(after.metadata.generation, 2);
    assert.ok((after.status as { conditions: { observedGeneration: number }[] }).conditions.every((c) => c.observedGeneration === 2));
  });

  test('delete: removing a TrafficTarget removes what it alone produced; restored, it comes back', async () => {
    const saved = cluster.get('access.smi-spec.io/v1alpha3', 'TrafficTarget', 'bookstore', 'bookstore-to-bookwarehouse')!;
    assert.ok(cluster.remove(saved));
    await running.settled();
    assert.ok(!names().includes('smi-bookwarehouse'));
    // The deny-all stays: strict mode locks every workload down.
    assert.ok(names().includes('smi--deny-by-default'));
    const { metadata, status: _s, ...rest } = saved;
    cluster.put({ ...rest, metadata: { name: metadata.name, namespace: metadata.namespace } });
    await running.settled();
    assert.ok(names().includes('smi-bookwarehouse'));
  });

  test('a mesh resource deleted by someone else is written again; one edited by hand is put back', async () => {
    const wh = policies().find((p) => p.metadata.name === 'smi-bookwarehouse')!;
    cluster.remove(wh);
    await running.settled();
    assert.deepEqual(policies().find((p) => p.metadata.name === 'smi-bookwarehouse')?.spec, wh.spec);
    const edited = policies().find((p) => p.metadata.name === 'smi-bookstore')!;
    cluster.put({ ...edited, spec: { action: 'ALLOW', rules: [{}] } });
    await running.settled();
    assert.notDeepEqual(policies().find((p) => p.metadata.name === 'smi-bookstore')?.spec, { action: 'ALLOW', rules: [{}] });
  });

  test('restart with nothing changed: zero writes', async () => {
    await running.stop();
    running = await controllerOn(cluster, { target: istio });
    await running.settled();
    assert.equal(running.writeCount(), 0, JSON.stringify(running.writes));
  });

  test('invalid SMI: Accepted=False with the reason, a Warning Event, and nothing granted to its sources', async () => {
    cluster.put({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'intruder', namespace: 'bookstore' } });
    cluster.put({ apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 'bad-target', namespace: 'bookstore' }, spec: { destination: { kind: 'ServiceAccount', name: 'bookstore', namespace: 'bookstore' }, rules: [{ kind: 'TCPRoute', name: 'bookstore-port' }], sources: [{ kind: 'Group', name: 'intruder', namespace: 'bookstore' }] } });
    await running.settled();
    const conditions = (cluster.get('access.smi-spec.io/v1alpha3', 'TrafficTarget', 'bookstore', 'bad-target')!.status as { conditions: { type: string; status: string }[] }).conditions;
    assert.equal(conditions.find((c) => c.type === 'Accepted')?.status, 'False');
    assert.equal(conditions.find((c) => c.type === 'Programmed')?.status, 'False');
    const events = cluster.list('v1', 'Event', 'bookstore').filter((e) => (e.involvedObject as { name: string }).name === 'bad-target');
    assert.ok(events.some((e) => e.type === 'Warning'), JSON.stringify(events));
    for (const ap of policies()) assert.ok(!JSON.stringify(ap.spec).includes('intruder'), stringify(ap.spec));
    // Posted once: settling again (or a restart) does not post it again.
    const before = running.writes.events;
    await running.stop();
    running = await controllerOn(cluster, { target: istio });
    await running.settled();
    assert.equal(running.writes.events, 0);
    assert.ok(before > 0);
  });
});

describe('smi controller: only the leader writes', () => {
  test('a replica that does not lead reads and plans but writes nothing; once it leads, it converges', async () => {
    const cluster = istioBookstoreInMemory();
    const standby = await controllerOn(cluster, { target: istio, leading: false });
    try {
      await standby.settled();
      assert.equal(standby.writeCount(), 0);
      assert.equal(cluster.list('security.istio.io/v1', 'AuthorizationPolicy').length, 0);
      standby.controller.setLeading(true);
      await standby.settled();
      assert.ok(standby.writeCount() > 0);
      assert.equal(cluster.list('security.istio.io/v1', 'AuthorizationPolicy', 'bookstore').length, 3);
    } finally {
      await standby.stop();
    }
  });

  test('--dry-run plans the same changes the leader then makes, and writes nothing', async () => {
    const cluster = istioBookstoreInMemory();
    const dry = await controllerOn(cluster, { target: istio, dryRun: true });
    await dry.settled();
    const planned = dry.controller.plan().map((c) => `${c.verb} ${c.kind} ${c.namespace}/${c.name}`).sort();
    await dry.stop();
    assert.equal(dry.writeCount(), 0);
    assert.ok(planned.length > 0);
    const real = await controllerOn(cluster, { target: istio });
    await real.settled();
    await real.stop();
    const written = [...cluster.list('security.istio.io/v1', 'AuthorizationPolicy'), ...cluster.list('networking.istio.io/v1', 'VirtualService')].map((o) => `create ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).sort();
    assert.deepEqual(planned.filter((p) => p.startsWith('create')), written);
  });
});
