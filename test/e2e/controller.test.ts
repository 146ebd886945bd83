/**
 * The controller on a real control plane (kube-apiserver, etcd, kube-controller-manager), installed
 * the way users install it and running with the installed ServiceAccount's own token, so the real
 * RBAC decides what it may do: the bookstore converges to exactly what `smi translate` writes,
 * statuses are written, changes and deletes follow, a restart writes nothing, the API server
 * restarting under it is survived, and the garbage collector removes what a deleted SMI object owned.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import pino from 'pino';
import { startCluster, type Cluster } from '../cluster/cluster.js';
import { installController, installMeshCrds, kubectlFor, type Kubectl } from './support.js';
import { runCli } from '../support/cli.js';
import { modelOf } from '../support/policy.js';
import { runController, type Running } from '../../src/controller/runtime.js';
import { CoreV1Api } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../src/kube/config.js';
import { istio } from '../../src/targets/istio/index.js';
import { DEFAULT_OPTIONS, type MeshResource } from '../../src/targets/target.js';

const BOOKSTORE = resolve(import.meta.dirname, '../../examples/bookstore');
const bookstoreText = () => readdirSync(BOOKSTORE).sort().map((f) => readFileSync(join(BOOKSTORE, f), 'utf8')).join('\n---\n');

async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

type Obj = { kind: string; metadata: { name: string; namespace?: string; ownerReferences?: { kind: string; name: string }[] }; spec?: unknown; status?: { conditions?: { type: string; status: string }[] } };

describe('the controller on a real kube-apiserver, as installed', () => {
  let cluster: Cluster;
  let kubectl: Kubectl;
  let controllerKubeconfig: string;
  let running: Running | undefined;
  const start = () => runController({ target: istio, translate: DEFAULT_OPTIONS, mode: 'strict', kubeconfig: controllerKubeconfig, log: pino({ level: process.env.SMI_E2E_LOG ? 'debug' : 'silent' }, process.env.SMI_E2E_LOG ? pino.destination(process.env.SMI_E2E_LOG) : undefined), batchDelayMs: 10 });
  const policies = async () => JSON.parse((await kubectl('get', 'authorizationpolicies.security.istio.io', '-A', '-o', 'json')).stdout).items as Obj[];

  before(async () => {
    cluster = await startCluster({ dir: mkdtempSync(join(tmpdir(), 'smi-e2e-controller-')) });
    kubectl = kubectlFor(cluster.kubeconfig);
    await installMeshCrds(kubectl, 'istio');
    controllerKubeconfig = await installController(cluster, kubectl, 'istio');
    for (const ns of ['bookstore', 'monitoring']) assert.equal((await kubectl('create', 'namespace', ns)).code, 0);
    const applyBookstore = await kubectl.input(bookstoreText(), 'apply', '-f', '-');
    assert.equal(applyBookstore.code, 0, applyBookstore.stderr);
  });
  after(async () => {
    await running?.stop();
    await cluster?.stop();
  });

  test('the installed RBAC is enough, and no more: the ServiceAccount can write its mesh kinds, not Secrets', async () => {
    const as = ['--as', 'system:serviceaccount:smi-system:smi-controller'];
    assert.equal((await kubectl('auth', 'can-i', 'patch', 'authorizationpolicies.security.istio.io', '-n', 'bookstore', ...as)).stdout.trim(), 'yes');
    assert.equal((await kubectl('auth', 'can-i', 'get', 'secrets', '-n', 'bookstore', ...as)).stdout.trim(), 'no');
    assert.equal((await kubectl('auth', 'can-i', 'delete', 'deployments', '-n', 'bookstore', ...as)).stdout.trim(), 'no');
  });

  test('converges to exactly what smi translate writes, accepted by the server; statuses are written', async () => {
    running = await start();
    const expected: MeshResource[] = istio.translate(modelOf(bookstoreText()), DEFAULT_OPTIONS).resources.filter((r) => r.kind === 'AuthorizationPolicy');
    const live = await eventually('the policies', async () => { const l = await policies(); return l.length === expected.length ? l : undefined; });
    const byName = new Map(live.map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o]));
    for (const r of expected) assert.deepEqual(byName.get(`${r.metadata.namespace}/${r.metadata.name}`)?.spec, r.spec, r.metadata.name);
    const tt = await eventually('conditions', async () => {
      const o = JSON.parse((await kubectl('get', 'traffictargets.access.smi-spec.io', 'bookstore-to-bookwarehouse', '-n', 'bookstore', '-o', 'json')).stdout) as Obj;
      return o.status?.conditions?.length ? o : undefined;
    });
    assert.deepEqual(tt.status!.conditions!.map((c) => [c.type, c.status]), [['Accepted', 'True'], ['ResolvedRefs', 'True'], ['Programmed', 'True']]);
    await running.controller.idle();
  });

  test('preview on the real server: diff --live finds nothing to change; a dry-run controller writes nothing and plans nothing', async () => {
    const diff = await runCli(['diff', '--live', '--mesh', 'istio', '--kubeconfig', cluster.kubeconfig, '-o', 'json']);
    assert.equal(diff.code, 0, diff.stdout + diff.stderr);
    assert.deepEqual((JSON.parse(diff.stdout) as { changes: unknown[] }).changes, []);
    const dry = await runController({ target: istio, translate: DEFAULT_OPTIONS, mode: 'strict', kubeconfig: controllerKubeconfig, log: pino({ level: 'silent' }), batchDelayMs: 10, dryRun: true });
    try {
      await new Promise((r) => setTimeout(r, 300));
      await dry.controller.idle();
      assert.deepEqual(dry.controller.plan(), []);
      const w = dry.controller.writer.writes;
      assert.deepEqual([w.applies, w.deletes, w.statuses, w.events], [0, 0, 0, 0]);
    } finally {
      await dry.stop();
    }
  });

  /** Stops the controller, starts it again, and checks it writes nothing once idle. */
  const restartWritesNothing = async () => {
    await running!.stop();
    running = await start();
    await new Promise((r) => setTimeout(r, 300));
    await running.controller.idle();
    const w = running.controller.writer.writes;
    assert.deepEqual([w.applies, w.deletes, w.statuses, w.events], [0, 0, 0, 0]);
  };

  test('a restart writes nothing', async () => {
    await restartWritesNothing();
  });

  test('lists longer than a page (1,200 more Events of smi\'s label ahead of its own): a restart still writes nothing', async () => {
    // smi's own Warning Events are what a restart must find in its cache, or it posts them again: an
    // invalid TrafficTarget (a Group source) gets one.
    const bad = `apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: bad-target, namespace: bookstore}
spec:
  destination: {kind: ServiceAccount, name: bookstore, namespace: bookstore}
  rules: [{kind: TCPRoute, name: bookstore-port}]
  sources: [{kind: Group, name: intruder, namespace: bookstore}]
`;
    const applied = await kubectl.input(bad, 'apply', '-f', '-');
    assert.equal(applied.code, 0, applied.stderr);
    await eventually('smi\'s Warning Event on bad-target', async () => (JSON.parse((await kubectl('get', 'events', '-n', 'bookstore', '-l', 'app.kubernetes.io/managed-by=smi', '-o', 'json')).stdout).items as Obj[]).length > 0);
    await running!.controller.idle();
    const kc = loadKubeConfig(cluster.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const now = new Date();
    let next = 0;
    // Named to sort first: a list cut at its first page would hold these and none of smi's.
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < 1200) {
        const i = next++;
        await core.createNamespacedEvent({ namespace: 'bookstore', body: { metadata: { name: `a-${String(i).padStart(4, '0')}`, namespace: 'bookstore', labels: { 'app.kubernetes.io/managed-by': 'smi' } }, involvedObject: { kind: 'ServiceAccount', name: 'bookstore', namespace: 'bookstore' }, type: 'Normal', reason: 'Filler', message: 'more than a page', firstTimestamp: now, lastTimestamp: now, count: 1 } });
      }
    }));
    await restartWritesNothing();
    assert.equal((await kubectl('delete', 'traffictargets.access.smi-spec.io', 'bad-target', '-n', 'bookstore')).code, 0);
  });

  test('the API server restarting under it: a change made afterwards still converges', async () => {
    await cluster.restartApiServer();
    const del = await kubectl('delete', 'traffictargets.access.smi-spec.io', 'prometheus-scrapes-bookstore', '-n', 'bookstore');
    assert.equal(del.code, 0, del.stderr);
    const expected = istio.translate(modelOf(bookstoreText().split(/^---$/m).filter((d) => !d.includes('name: prometheus-scrapes-bookstore')).join('---')), DEFAULT_OPTIONS).resources.find((r) => r.metadata.name === 'smi-bookstore')!;
    await eventually('the bookstore policy without Prometheus', async () => isDeepStrictEqual((await policies()).find((p) => p.metadata.name === 'smi-bookstore')?.spec, expected.spec));
  });

  test('the garbage collector removes what a deleted SMI object owned, even with the controller stopped', async () => {
    await running!.stop();
    running = undefined;
    const owned = (await policies()).find((p) => p.metadata.name === 'smi-bookwarehouse');
    assert.deepEqual(owned?.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`), ['TrafficTarget/bookstore-to-bookwarehouse']);
    assert.equal((await kubectl('delete', 'traffictargets.access.smi-spec.io', 'bookstore-to-bookwarehouse', '-n', 'bookstore')).code, 0);
    await eventually('the garbage collector', async () => !(await policies()).some((p) => p.metadata.name === 'smi-bookwarehouse'), 60_000);
  });
});
