/**
 * The API test server is only worth anything if it behaves like Kubernetes: the real kubectl drives
 * it here — apply (client-side and server-side, with conflicts), get with selectors, get -w, delete,
 * CRDs that register kinds, and the Status errors kubectl turns into its own messages.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { KubeApiServer } from '../support/kube-api/server.js';
import { allCrds } from '../../src/api/crds.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'smi-kubectl-'));

async function kubectl(server: KubeApiServer, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const kubeconfig = join(dir, `kubeconfig-${server.port}`);
  writeFileSync(kubeconfig, server.kubeconfig());
  try {
    const { stdout, stderr } = await run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, `cache-${server.port}-${Date.now()}`), ...args], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

const file = (name: string, objects: unknown[]) => {
  const path = join(dir, name);
  writeFileSync(path, objects.map((o) => stringify(o)).join('---\n'));
  return path;
};

const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
const svc = (port: number) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web', tier: 'front' } }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port }] } });
const sa = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'shop', labels } });

describe('kubectl against the Kubernetes API test server', () => {
  let server: KubeApiServer;
  before(async () => {
    server = await new KubeApiServer().start();
  });
  after(async () => server.stop());

  test('version and discovery', async () => {
    const v = await kubectl(server, 'version', '-o', 'json');
    assert.equal(v.code, 0, v.stderr);
    assert.equal((JSON.parse(v.stdout) as { serverVersion: { gitVersion: string } }).serverVersion.gitVersion, 'v1.32.0-smi-test');
    const r = await kubectl(server, 'api-resources', '--api-group=apps', '-o', 'name');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^deployments\.apps$/m);
  });

  test('apply creates, re-apply is unchanged, a change is configured; generation moves with the spec only', async () => {
    const f1 = file('one.yaml', [ns, svc(80), sa('web', { app: 'web' })]);
    const first = await kubectl(server, 'apply', '-f', f1);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /namespace\/shop created\nservice\/web created\nserviceaccount\/web created/);
    assert.match((await kubectl(server, 'apply', '-f', f1)).stdout, /service\/web unchanged/);
    const changed = await kubectl(server, 'apply', '-f', file('two.yaml', [ns, svc(8080), sa('web', { app: 'web' })]));
    assert.match(changed.stdout, /service\/web configured/);
    const got = await kubectl(server, 'get', 'svc', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.ports[*].port} {.metadata.generation}');
    assert.equal(got.stdout, '8080 2', 'the strategic merge replaced the port entry (merge key port), and generation rose');
    await kubectl(server, 'label', 'svc', 'web', '-n', 'shop', 'extra=yes');
    assert.equal((await kubectl(server, 'get', 'svc', 'web', '-n', 'shop', '-o', 'jsonpath={.metadata.generation}')).stdout, '2', 'a label is not the spec');
  });

  test('get with label selectors and -o name', async () => {
    await kubectl(server, 'apply', '-f', file('sas.yaml', [sa('a', { team: 'x' }), sa('b', { team: 'z' }), sa('c')]));
    assert.equal((await kubectl(server, 'get', 'sa', '-n', 'shop', '-l', 'team=x', '-o', 'name')).stdout.trim(), 'serviceaccount/a');
    assert.equal((await kubectl(server, 'get', 'sa', '-n', 'shop', '-l', 'team in (x,z)', '-o', 'name')).stdout.trim().split('\n').sort().join(' '), 'serviceaccount/a serviceaccount/b');
    assert.match((await kubectl(server, 'get', 'sa', '-n', 'shop', '-l', '!team', '-o', 'name')).stdout, /serviceaccount\/c/);
  });

  test('server-side apply: a conflict with another manager is refused until --force-conflicts', async () => {
    const f = file('ssa.yaml', [svc(9090)]);
    const refused = await kubectl(server, 'apply', '--server-side', '-f', f);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /conflict with "kubectl-client-side-apply"/);
    const forced = await kubectl(server, 'apply', '--server-side', '--force-conflicts', '-f', f);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /service\/web serverside-applied/);
    const managers = await kubectl(server, 'get', 'svc', 'web', '-n', 'shop', '--show-managed-fields', '-o', 'jsonpath={.metadata.managedFields[*].manager}');
    assert.match(managers.stdout, /kubectl/);
    assert.equal((await kubectl(server, 'get', 'svc', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.ports[0].port}')).stdout, '9090');
  });

  test('Status errors: 404 on get, 409 on a second create, 422 on an invalid name', async () => {
    const missing = await kubectl(server, 'get', 'sa', 'nobody', '-n', 'shop');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /serviceaccounts "nobody" not found/);
    const f = file('dup.yaml', [sa('dup')]);
    assert.equal((await kubectl(server, 'create', '-f', f)).code, 0);
    const again = await kubectl(server, 'create', '-f', f);
    assert.match(again.stderr, /AlreadyExists|already exists/);
    const invalid = await kubectl(server, 'create', '-f', file('bad.yaml', [sa('Not_Valid')]));
    assert.match(invalid.stderr, /is invalid.*metadata\.name/);
  });

  test('CRDs register their kinds: SMI objects apply and read back by plural and short name', async () => {
    const crds = await kubectl(server, 'apply', '-f', file('crds.yaml', allCrds()));
    assert.equal(crds.code, 0, crds.stderr);
    const split = { apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 'web', namespace: 'shop' }, spec: { service: 'web', backends: [{ service: 'web-v1', weight: 1 }] } };
    const applied = await kubectl(server, 'apply', '-f', file('split.yaml', [split]));
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /trafficsplit\.split\.smi-spec\.io\/web created/);
    assert.equal((await kubectl(server, 'get', 'ts', '-n', 'shop', '-o', 'name')).stdout.trim(), 'trafficsplit.split.smi-spec.io/web');
    assert.equal((await kubectl(server, 'get', 'trafficsplits.v1alpha4.split.smi-spec.io', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.backends[0].service}')).stdout, 'web-v1');
  });

  test('get -w streams the changes; delete removes and kubectl waits for it', async () => {
    const kubeconfig = join(dir, `kubeconfig-${server.port}`);
    const watcher = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'watch-cache'), 'get', 'sa', '-n', 'shop', '-w', '--output-watch-events']);
    let seen = '';
    watcher.stdout.on('data', (c: Buffer) => (seen += c.toString()));
    await new Promise((r) => setTimeout(r, 1500));
    await kubectl(server, 'apply', '-f', file('watched.yaml', [sa('watched')]));
    const deleted = await kubectl(server, 'delete', '-f', file('watched.yaml', [sa('watched')]));
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /serviceaccount "watched" deleted/);
    await new Promise((r) => setTimeout(r, 500));
    watcher.kill();
    assert.match(seen, /ADDED\s+watched/);
    assert.match(seen, /DELETED\s+watched/);
    const gone = await kubectl(server, 'get', 'sa', 'watched', '-n', 'shop');
    assert.match(gone.stderr, /not found/);
  });
});
