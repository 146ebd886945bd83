/**
 * A change that arrives while a cold start sweeps every namespace is reconciled next, not after the
 * sweep: the bookstore in twelve namespaces, writes slowed down so the sweep takes a while, and a
 * TrafficSplit changed in the namespace the sweep reaches last once the first namespace is written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BOOKSTORE } from '../support/istio-bookstore.js';
import { MemoryCluster } from '../support/memory-cluster.js';
import { controllerOn } from '../support/memory-controller.js';
import { istio } from '../../src/targets/istio/index.js';
import type { ClusterWriter } from '../../src/kube/writer.js';

test('a change during a cold start goes ahead of the namespaces the sweep has not reached', async () => {
  const text = readdirSync(BOOKSTORE).sort().map((f) => readFileSync(join(BOOKSTORE, f), 'utf8')).join('\n---\n');
  const namespaces = Array.from({ length: 12 }, (_, i) => `shop-${String(i).padStart(2, '0')}`);
  const cluster = new MemoryCluster();
  for (const ns of namespaces) cluster.putYaml(text.replace(/namespace: bookstore/g, `namespace: ${ns}`));
  const last = namespaces.at(-1)!;

  const applied: string[] = [];
  let firstApply: () => void = () => {};
  const started = new Promise<void>((resolve) => { firstApply = resolve; });
  const slow = (w: ClusterWriter): ClusterWriter => ({
    ...w,
    writes: w.writes,
    apply: async (o) => {
      await new Promise((r) => setTimeout(r, 15));
      applied.push((o as { metadata: { namespace?: string } }).metadata.namespace ?? '');
      firstApply();
      return w.apply(o);
    },
  });
  const running = await controllerOn(cluster, { target: istio, wrapWriter: slow });
  try {
    await started;
    const split = cluster.list('split.smi-spec.io/v1alpha4', 'TrafficSplit', last)[0]!;
    const spec = split.spec as { backends: { service: string; weight: number }[] };
    cluster.put({ ...split, spec: { ...spec, backends: spec.backends.map((b, i) => ({ ...b, weight: i === 0 ? 7 : 3 })) } });
    await running.settled();

    const firstIn = (ns: string) => applied.indexOf(ns);
    // Namespaces in the order the sweep wrote them, with the changed one where it came.
    const order = [...new Set(applied)];
    assert.ok(order.indexOf(last) <= 2, `the changed namespace came ${order.indexOf(last) + 1}th of ${order.length}: ${order.join(' ')}`);
    assert.ok(firstIn(last) < firstIn(namespaces[4]!), 'ahead of namespaces the sweep had not reached');
    assert.deepEqual(new Set(applied), new Set(namespaces), 'and the sweep still reaches every namespace');
    const vs = cluster.list('networking.istio.io/v1', 'VirtualService', last).find((v) => JSON.stringify(v.spec).includes('"weight":70'));
    assert.ok(vs, 'the change is what was applied there');
  } finally {
    await running.stop();
  }
});

test('its own writes coming back reconcile nothing: a cold start reconciles each namespace once; someone else\'s edit is still put back', async () => {
  const text = readdirSync(BOOKSTORE).sort().map((f) => readFileSync(join(BOOKSTORE, f), 'utf8')).join('\n---\n');
  const namespaces = ['shop-a', 'shop-b', 'shop-c'];
  const cluster = new MemoryCluster();
  for (const ns of namespaces) cluster.putYaml(text.replace(/namespace: bookstore/g, `namespace: ${ns}`));
  const running = await controllerOn(cluster, { target: istio });
  try {
    await running.settled();
    const ok = async () => (await running.metrics.reconciles.get()).values.find((v) => v.labels.result === 'ok')?.value ?? 0;
    const held = cluster.list('v1', 'Namespace').length;
    assert.ok(running.writes.applies > 0 && running.writes.statuses > 0);
    // The cluster key, then each namespace once: none again for the echo of its own applies and statuses.
    assert.ok(await ok() <= held + 1, `${await ok()} reconciles for ${held} namespaces`);
    // An edit by someone else to what smi wrote is not an echo: it is put back.
    const vs = cluster.list('networking.istio.io/v1', 'VirtualService', 'shop-b')[0]!;
    cluster.put({ ...vs, spec: { ...(vs.spec as object), hosts: ['elsewhere'] } });
    await running.settled();
    assert.deepEqual((cluster.get('networking.istio.io/v1', 'VirtualService', 'shop-b', vs.metadata.name!)!.spec as { hosts: string[] }).hosts, (vs.spec as { hosts: string[] }).hosts);
    // A deletion right after smi wrote the object (its event still carries smi's version) is put back too.
    const deny = cluster.list('security.istio.io/v1', 'AuthorizationPolicy', 'shop-c').find((p) => p.metadata.name === 'smi--deny-by-default')!;
    cluster.remove(deny);
    await running.settled();
    assert.ok(cluster.get('security.istio.io/v1', 'AuthorizationPolicy', 'shop-c', 'smi--deny-by-default'), 'the deny-by-default policy is written again');
  } finally {
    await running.stop();
  }
});
