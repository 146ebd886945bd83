/**
 * The installed controller on a real control plane, beyond the bookstore: random worlds (with the
 * system namespaces real clusters have) applied one after another — each converges to what
 * `smi translate` writes for it, and deleting it leaves nothing behind — and two replicas with
 * leader election on a real Lease, where only the leader writes and the standby takes over.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import pino from 'pino';
import { startCluster, type Cluster } from '../cluster/cluster.js';
import { installController, installMeshCrds, kubectlFor, type Kubectl } from './support.js';
import { toYamlStream } from '../../src/api/yaml-write.js';
import { runCli } from '../support/cli.js';
import { modelOf, modelOfObjects } from '../support/policy.js';
import { NAMESPACES, worlds } from '../support/worlds.js';
import { toHub } from '../support/hub.js';
import { runController, type RuntimeOptions } from '../../src/controller/runtime.js';
import { holds } from '../../src/controller/plan.js';
import { istio } from '../../src/targets/istio/index.js';
import { DEFAULT_OPTIONS, type MeshResource } from '../../src/targets/target.js';

type Live = { kind: string; metadata: { namespace?: string; name: string }; spec?: unknown };
const key = (r: { kind: string; metadata: { namespace?: string; name: string } }) => `${r.kind} ${r.metadata.namespace}/${r.metadata.name}`;
const BOOKSTORE = resolve(import.meta.dirname, '../../examples/bookstore');
const bookstore = readdirSync(BOOKSTORE).sort().map((f) => readFileSync(join(BOOKSTORE, f), 'utf8')).join('\n---\n');

async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the installed controller on a real kube-apiserver: random worlds, leader election', () => {
  let cluster: Cluster;
  let kubectl: Kubectl;
  let kubeconfig: string;
  const log = pino({ level: 'silent' });
  const start = (extra: Partial<RuntimeOptions> = {}) => runController({ target: istio, translate: DEFAULT_OPTIONS, mode: 'strict', kubeconfig, log, batchDelayMs: 10, ...extra });
  // Everything the Istio target writes, found by smi's label.
  const live = async (): Promise<Live[]> => {
    const r = await kubectl('get', 'authorizationpolicies.security.istio.io', '-A', '-l', 'smi-spec.io/mesh=istio', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { items: Live[] }).items;
  };

  before(async () => {
    cluster = await startCluster({ dir: mkdtempSync(join(tmpdir(), 'smi-e2e-worlds-')) });
    kubectl = kubectlFor(cluster.kubeconfig);
    await installMeshCrds(kubectl, 'istio');
    kubeconfig = await installController(cluster, kubectl, 'istio');
    for (const ns of NAMESPACES.filter((n) => n !== 'kube-system')) assert.equal((await kubectl('create', 'namespace', ns)).code, 0);
  });
  after(async () => cluster?.stop());

  test('an older SMI version is refused, not stored with fields dropped: without the conversion webhook only the newest is served', async () => {
    const old = { apiVersion: 'access.smi-spec.io/v1alpha2', kind: 'TrafficTarget', metadata: { name: 'port-only', namespace: 'a' }, spec: { destination: { kind: 'ServiceAccount', name: 's0', namespace: 'a', port: 8080 }, sources: [{ kind: 'ServiceAccount', name: 's1', namespace: 'a' }], rules: [{ kind: 'HTTPRouteGroup', name: 'g' }] } };
    const refused = await kubectl.input(toYamlStream([old]), 'apply', '-f', '-');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /no matches for kind "TrafficTarget" in version "access\.smi-spec\.io\/v1alpha2"/);
    const converted = await runCli(['convert', '-', '--to', 'access.smi-spec.io/v1alpha3'], toYamlStream([old]));
    const stored = await kubectl.input(converted.stdout, 'apply', '-f', '-');
    assert.equal(stored.code, 0, stored.stderr);
    const back = JSON.parse((await kubectl('get', 'traffictargets.access.smi-spec.io', 'port-only', '-n', 'a', '-o', 'json')).stdout) as { metadata: { annotations?: Record<string, string> } };
    assert.match(back.metadata.annotations?.['smi-spec.io/conversion-source'] ?? '', /"port":8080/, 'the port travels in the conversion annotation, which smi reads');
    assert.equal((await kubectl('delete', 'traffictargets.access.smi-spec.io', 'port-only', '-n', 'a')).code, 0);
  });

  const sample = fc.sample(worlds.filter((w) => w.objects.some((o) => String(o.kind) === 'TrafficTarget')), { numRuns: 8, seed: 1414 });
  sample.forEach((world, i) => {
    test(`random world ${i}: converges to smi translate of it; deleted, nothing of it is left`, async () => {
      // The controller reads workloads from their controllers (Deployments, StatefulSets, DaemonSets), not
      // from Pods (src/api/watched-kinds.ts), and does not watch OSM's IngressBackends (docs/semantics.md
      // A10): the world it converges to is the one without either.
      const objects = world.objects.filter((o) => o.kind !== 'Pod' && !String(o.apiVersion).startsWith('policy.openservicemesh.io/'));
      const expected: MeshResource[] = istio.translate(modelOfObjects(objects, world.mode), DEFAULT_OPTIONS).resources.filter((r) => r.kind === 'AuthorizationPolicy');
      // Installed with --webhook none, the cluster serves only the newest versions: older ones are converted first
      // (object by object, as the webhook would: the worlds hold invalid objects on purpose, which `smi convert` refuses).
      const text = toYamlStream(objects.map(toHub));
      const running = await start({ mode: world.mode });
      try {
        const applied = await kubectl.input(text, 'apply', '-f', '-');
        assert.equal(applied.code, 0, applied.stderr);
        const got = await eventually(`${expected.length} policies`, async () => {
          const l = await live();
          return l.length === expected.length && expected.every((r) => l.some((x) => key(x) === key(r) && holds(r.spec, x.spec))) ? l : undefined;
        }).catch(async (e: Error) => {
          throw new Error(`${e.message}\nlive: ${(await live()).map((l) => `${key(l)} ${JSON.stringify(l.spec)}`).join('\n')}\nexpected: ${expected.map((r) => `${key(r)} ${JSON.stringify(r.spec)}`).join('\n')}`);
        });
        assert.deepEqual(got.map(key).sort(), expected.map(key).sort());
        // Nothing outside the namespaces the world put under SMI.
        const touched = new Set(world.objects.filter((o) => String(o.apiVersion).includes('smi-spec.io')).map((o) => (o.metadata as { namespace?: string }).namespace));
        for (const l of got) assert.ok(l.metadata.namespace !== 'kube-system' || touched.has('kube-system'), `${key(l)} written where the world put no SMI`);
        const deleted = await kubectl.input(text, 'delete', '--ignore-not-found', '--wait=false', '-f', '-');
        assert.equal(deleted.code, 0, deleted.stderr);
        await eventually('no policies', async () => (await live()).length === 0);
      } finally {
        await running.stop();
        // After a failure too: the next world reuses names (a Deployment's selector cannot change).
        await kubectl.input(text, 'delete', '--ignore-not-found', '--wait=false', '-f', '-');
      }
    });
  });

  test('two replicas with leader election on a real Lease: only the leader writes; stopped, the standby takes over', async () => {
    const lease = { namespace: 'smi-system', name: 'smi-controller-istio', leaseDurationSeconds: 2, retryPeriodMs: 200 };
    assert.equal((await kubectl('create', 'namespace', 'bookstore')).code, 0);
    assert.equal((await kubectl('create', 'namespace', 'monitoring')).code, 0);
    const a = await start({ leaderElect: { ...lease, identity: 'replica-a' } });
    const b = await start({ leaderElect: { ...lease, identity: 'replica-b' } });
    try {
      const leader = await eventually('a leader', async () => (a.elector?.isLeader ? a : b.elector?.isLeader ? b : undefined), 10_000);
      const standby = leader === a ? b : a;
      const held = JSON.parse((await kubectl('get', 'lease', lease.name, '-n', lease.namespace, '-o', 'json')).stdout) as { spec: { holderIdentity: string; renewTime: string } };
      assert.equal(held.spec.holderIdentity, leader === a ? 'replica-a' : 'replica-b');
      const applied = await kubectl.input(bookstore, 'apply', '-f', '-');
      assert.equal(applied.code, 0, applied.stderr);
      const expected = istio.translate(modelOf(bookstore), DEFAULT_OPTIONS).resources.filter((r) => r.kind === 'AuthorizationPolicy');
      await eventually('the bookstore policies', async () => (await live()).length === expected.length);
      await leader.controller.idle();
      const writes = (r: typeof a) => { const w = r.controller.writer.writes; return w.applies + w.deletes + w.statuses + w.events; };
      assert.ok(writes(leader) > 0);
      assert.equal(writes(standby), 0, 'the standby writes nothing');
      // The leader renews: the lease's renewTime moves while it leads.
      await new Promise((r) => setTimeout(r, 700));
      const renewed = JSON.parse((await kubectl('get', 'lease', lease.name, '-n', lease.namespace, '-o', 'json')).stdout) as { spec: { renewTime: string } };
      assert.notEqual(renewed.spec.renewTime, held.spec.renewTime);

      await leader.stop();
      await eventually('the standby takes over', async () => standby.elector?.isLeader === true, 10_000);
      assert.equal((await kubectl('delete', 'authorizationpolicies.security.istio.io', 'smi-bookwarehouse', '-n', 'bookstore')).code, 0);
      await eventually('the new leader repairs the deleted policy', async () => (await live()).some((l) => l.metadata.name === 'smi-bookwarehouse'));
      assert.ok(writes(standby) > 0);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
