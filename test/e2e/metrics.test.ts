/**
 * TrafficMetrics through the real aggregation layer: kube-apiserver's aggregator proxies
 * /apis/metrics.smi-spec.io to `smi metrics-server` (its own process, the real command line), which
 * answers from a real Prometheus. Installed as `smi install --metrics-prometheus-url` writes it, with
 * two differences a cluster without nodes forces: the smi-metrics Service is an ExternalName for
 * loopback (there is no Pod behind a selector, and no kube-proxy), and the APIService names the
 * process's port. The server runs as the installed ServiceAccount and reads the front-proxy CA from
 * the cluster through the install's RBAC; RBAC in the API server decides who may read.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { freePort, kubeconfigText, startCluster, type Cluster } from '../cluster/cluster.js';
import { kubectlFor, type Kubectl } from './support.js';
import { runCli } from '../support/cli.js';
import { openMetrics, series, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown>; data?: Record<string, string> };

// Istio's series around the present (the server asks at "now"): per 15 s, 10 successes and 1 failure,
// all between 10 and 20 ms; they run on into the future so every window is full.
const STEP = 15;
const START = Math.floor(Date.now() / 1000 / STEP) * STEP - 600;
const POINTS = 80;
const WEB = { reporter: 'destination', destination_workload: 'web', destination_workload_namespace: 'shop', source_workload: 'client', source_workload_namespace: 'shop', pod: 'web-1' };
const FIXTURE = openMetrics([
  series('istio_requests_total', [{ labels: { ...WEB, response_code: '200' }, step: 10 }, { labels: { ...WEB, response_code: '503' }, step: 1 }], START, POINTS),
  series('istio_request_duration_milliseconds_bucket', [{ labels: { ...WEB, le: '10' }, step: 0 }, { labels: { ...WEB, le: '20' }, step: 11 }, { labels: { ...WEB, le: '+Inf' }, step: 11 }], START, POINTS),
]);
// Over 1m: 4 intervals of 15 s.
const EXPECTED = { success_count: '40', failure_count: '4', p50_response_latency: '15', p90_response_latency: '19', p99_response_latency: '19.9' };
const values = (body: string) => Object.fromEntries((JSON.parse(body) as { metrics: { name: string; value: string }[] }).metrics.map((m) => [m.name, m.value]));
const PATH = '/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/deployments/web?window=1m';

describe('TrafficMetrics through the real aggregation layer', () => {
  let cluster: Cluster;
  let kubectl: Kubectl;
  let prometheus: RunningPrometheus;
  let server: ChildProcess | undefined;
  let serverLog = '';
  let port: number;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smi-e2e-metrics-'));
    prometheus = await startPrometheus(FIXTURE);
    cluster = await startCluster({ dir: join(dir, 'cluster'), controllerManager: false });
    kubectl = kubectlFor(cluster.kubeconfig);
    port = await freePort();

    const install = await runCli(['install', '--mesh', 'istio', '--metrics-prometheus-url', prometheus.url]);
    assert.equal(install.code, 0, install.stderr);
    const objects = parseAllDocuments(install.stdout).map((d) => d.toJS() as Obj);
    const metricsPart = objects.filter((o) => o.kind === 'Namespace' || o.kind === 'Secret' || o.kind === 'APIService' || o.metadata.name.startsWith('smi-metrics'));
    assert.deepEqual(metricsPart.map((o) => `${o.kind}/${o.metadata.name}`).sort(), [
      'APIService/v1alpha1.metrics.smi-spec.io', 'APIService/v1alpha2.metrics.smi-spec.io', 'ClusterRole/smi-metrics-reader', 'ClusterRole/smi-metrics-server',
      'ClusterRoleBinding/smi-metrics-server', 'ClusterRoleBinding/smi-metrics-server-auth-delegator', 'Deployment/smi-metrics-server', 'Namespace/smi-system',
      'NetworkPolicy/smi-metrics-server-from-aggregator', 'RoleBinding/smi-metrics-server-auth-reader', 'Secret/smi-webhook-tls', 'Service/smi-metrics', 'ServiceAccount/smi-metrics-server',
    ]);
    const toApply = metricsPart.filter((o) => o.kind !== 'Deployment').map((o) => {
      if (o.kind === 'Service') return { ...o, spec: { type: 'ExternalName', externalName: '127.0.0.1', ports: [{ name: 'https', port }] } };
      if (o.kind === 'APIService') return { ...o, spec: { ...o.spec, service: { ...(o.spec!.service as object), port } } };
      return o;
    });
    const applied = await kubectl.input(toApply.map((o) => stringify(o)).join('---\n'), 'apply', '--server-side', '-f', '-');
    assert.equal(applied.code, 0, applied.stderr);

    // What the Deployment would mount: the serving certificate from the install's Secret.
    const secret = objects.find((o) => o.kind === 'Secret')!;
    writeFileSync(join(dir, 'tls.crt'), Buffer.from(secret.data!['tls.crt']!, 'base64'));
    writeFileSync(join(dir, 'tls.key'), Buffer.from(secret.data!['tls.key']!, 'base64'));
    writeFileSync(join(dir, 'ca.pem'), Buffer.from(secret.data!['ca.crt']!, 'base64'));
    const token = await kubectl('create', 'token', 'smi-metrics-server', '-n', 'smi-system', '--duration', '2h');
    assert.equal(token.code, 0, token.stderr);
    writeFileSync(join(dir, 'sa.kubeconfig'), kubeconfigText(cluster.url, cluster.pki.ca, { token: token.stdout.trim() }));

    // A Deployment with labels, for label selectors (the server lists it with its own RBAC).
    assert.equal((await kubectl('create', 'namespace', 'shop')).code, 0);
    const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', labels: { tier: 'front' } }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web' }] } } } };
    assert.equal((await kubectl.input(stringify(web), 'apply', '-f', '-')).code, 0);

    // The container's arguments, as installed, with this machine's files and port.
    const args = (objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'smi-metrics-server') as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } }).spec.template.spec.containers[0]!.args
      .map((a) => (a === '6443' ? String(port) : a === '/tls/tls.crt' ? join(dir, 'tls.crt') : a === '/tls/tls.key' ? join(dir, 'tls.key') : a));
    server = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../support/smi-process.ts'), ...args, '--kubeconfig', join(dir, 'sa.kubeconfig')], { stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (d: Buffer) => (serverLog += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (serverLog += d.toString()));
    const available = await kubectl('wait', '--for=condition=Available', '--timeout=90s', 'apiservice/v1alpha2.metrics.smi-spec.io', 'apiservice/v1alpha1.metrics.smi-spec.io');
    assert.equal(available.code, 0, `${available.stderr}\nmetrics-server: ${serverLog}\n${(await kubectl('get', 'apiservice', 'v1alpha2.metrics.smi-spec.io', '-o', 'yaml')).stdout}`);
  });
  after(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await cluster?.stop();
    await prometheus?.stop();
  });

  test('kubectl get --raw through the API server answers exactly, at both versions; discovery lists the resources', async () => {
    const v2 = await kubectl('get', '--raw', PATH);
    assert.equal(v2.code, 0, v2.stderr + serverLog);
    assert.deepEqual(values(v2.stdout), EXPECTED);
    const v1 = await kubectl('get', '--raw', PATH.replace('v1alpha2', 'v1alpha1'));
    assert.equal(v1.code, 0, v1.stderr);
    assert.equal((JSON.parse(v1.stdout) as { apiVersion: string }).apiVersion, 'metrics.smi-spec.io/v1alpha1');
    assert.deepEqual(values(v1.stdout), EXPECTED);
    const resources = await kubectl('api-resources', '--api-group=metrics.smi-spec.io', '-o', 'name');
    assert.equal(resources.code, 0, resources.stderr);
    for (const r of ['deployments', 'pods', 'namespaces', 'daemonsets', 'statefulsets']) assert.ok(resources.stdout.split('\n').includes(`${r}.metrics.smi-spec.io`), `${resources.stdout}\n${resources.stderr}\n${serverLog}`);
  });

  test('a label selector is answered from the cluster with the installed ServiceAccount\'s RBAC', async () => {
    const list = async (selector: string) => {
      const r = await kubectl('get', '--raw', `/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/deployments?window=1m&labelSelector=${encodeURIComponent(selector)}`);
      assert.equal(r.code, 0, r.stderr + serverLog);
      return (JSON.parse(r.stdout) as { items: { resource: { name: string } }[] }).items.map((i) => i.resource.name);
    };
    assert.deepEqual(await list('tier=front'), ['web']);
    assert.deepEqual(await list('tier=back'), []);
    // ... and that RBAC reaches no further than the resolver reads (the API server's own answer).
    const canI = async (...what: string[]) => (await kubectl('auth', 'can-i', ...what, '--as', 'system:serviceaccount:smi-system:smi-metrics-server')).stdout.trim();
    assert.equal(await canI('list', 'pods', '-n', 'shop'), 'yes');
    for (const denied of [['get', 'pods', '-n', 'shop'], ['list', 'secrets', '-n', 'shop'], ['list', 'services', '-n', 'shop'], ['watch', 'deployments', '-n', 'shop']]) assert.equal(await canI(...denied), 'no', denied.join(' '));
  });

  test('the API server\'s RBAC decides who reads: refused without a binding, allowed with the install\'s reader role', async () => {
    const alice = await cluster.pki.clientCert('alice', 'alice');
    writeFileSync(join(dir, 'alice.kubeconfig'), kubeconfigText(cluster.url, cluster.pki.ca, alice));
    const asAlice = kubectlFor(join(dir, 'alice.kubeconfig'));
    const refused = await asAlice('get', '--raw', PATH);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /forbidden/i);
    assert.equal((await kubectl('create', 'clusterrolebinding', 'alice-reads-traffic-metrics', '--clusterrole', 'smi-metrics-reader', '--user', 'alice')).code, 0);
    let allowed = await asAlice('get', '--raw', PATH);
    for (let i = 0; allowed.code !== 0 && i < 20; i++) {
      await new Promise((r) => setTimeout(r, 250));
      allowed = await asAlice('get', '--raw', PATH);
    }
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.deepEqual(values(allowed.stdout), EXPECTED);
  });

  test('the server authorizes each request with the cluster itself: the front proxy\'s user and a bearer token\'s, by SubjectAccessReview and TokenReview', async () => {
    const frontProxy = { cert: join(cluster.pki.dir, 'front-proxy-client.crt'), key: join(cluster.pki.dir, 'front-proxy-client.key') };
    const ask = (path: string, headers: Record<string, string>, cert?: { cert: string; key: string }) => new Promise<{ code: number; body: string }>((res, rej) => {
      const req = request({ host: '127.0.0.1', port, path, servername: 'smi-metrics.smi-system.svc', ca: readFileSync(join(dir, 'ca.pem')), headers, ...(cert ? { cert: readFileSync(cert.cert), key: readFileSync(cert.key) } : {}) }, (r) => {
        let body = '';
        r.on('data', (d: Buffer) => (body += d.toString()));
        r.on('end', () => res({ code: r.statusCode ?? 0, body }));
      });
      req.on('error', rej);
      req.end();
    });
    // Straight to the server with the real front-proxy certificate: the API server's RBAC was never asked.
    const carol = await ask(PATH, { 'X-Remote-User': 'carol', 'X-Remote-Group': 'system:authenticated' }, frontProxy);
    assert.equal(carol.code, 403, carol.body + serverLog);
    assert.match((JSON.parse(carol.body) as { message: string }).message, /deployments\.metrics\.smi-spec\.io "web" is forbidden: User "carol" cannot get resource "deployments" in API group "metrics\.smi-spec\.io" in the namespace "shop"/);
    const edges = await ask('/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/deployments/web/edges', { 'X-Remote-User': 'carol' }, frontProxy);
    assert.match((JSON.parse(edges.body) as { message: string }).message, /cannot get resource "deployments\/edges"/);
    assert.equal((await kubectl('create', 'rolebinding', 'carol-reads-shop', '-n', 'shop', '--clusterrole', 'smi-metrics-reader', '--user', 'carol')).code, 0);
    // A refusal is cached for the TTL (10 s): allowed once it runs out.
    let allowed = await ask(PATH, { 'X-Remote-User': 'carol', 'X-Remote-Group': 'system:authenticated' }, frontProxy);
    for (let i = 0; allowed.code !== 200 && i < 60; i++) {
      await new Promise((r) => setTimeout(r, 500));
      allowed = await ask(PATH, { 'X-Remote-User': 'carol', 'X-Remote-Group': 'system:authenticated' }, frontProxy);
    }
    assert.equal(allowed.code, 200, allowed.body);
    assert.deepEqual(values(allowed.body), EXPECTED);
    const otherNamespace = await ask('/apis/metrics.smi-spec.io/v1alpha2/namespaces/data/deployments', { 'X-Remote-User': 'carol' }, frontProxy);
    assert.equal(otherNamespace.code, 403, 'the binding is for shop only');

    // A bearer token, reviewed by the cluster: a ServiceAccount without a binding is refused, with one it reads.
    assert.equal((await kubectl('create', 'serviceaccount', 'dashboard', '-n', 'shop')).code, 0);
    const token = (await kubectl('create', 'token', 'dashboard', '-n', 'shop')).stdout.trim();
    const before = await ask(PATH, { Authorization: `Bearer ${token}` });
    assert.equal(before.code, 403, before.body);
    assert.match(before.body, /User \\"system:serviceaccount:shop:dashboard\\" cannot get/);
    assert.equal((await kubectl('create', 'rolebinding', 'dashboard-reads', '-n', 'shop', '--clusterrole', 'smi-metrics-reader', '--serviceaccount', 'shop:dashboard')).code, 0);
    let withToken = await ask(PATH, { Authorization: `Bearer ${token}` });
    for (let i = 0; withToken.code !== 200 && i < 60; i++) {
      await new Promise((r) => setTimeout(r, 500));
      withToken = await ask(PATH, { Authorization: `Bearer ${token}` });
    }
    assert.equal(withToken.code, 200, withToken.body);
    assert.equal((await ask(PATH, { Authorization: 'Bearer not-a-token' })).code, 401);
  });

  test('past the API server there is no way in: no client certificate, or one from the cluster CA instead of the front proxy\'s, is 401; probes answer', async () => {
    const admin = await cluster.pki.clientCert('not-front-proxy', 'front-proxy-client');
    const ask = (path: string, cert?: { cert: string; key: string }) => new Promise<number>((res, rej) => {
      const req = request({ host: '127.0.0.1', port, path, servername: 'smi-metrics.smi-system.svc', ca: readFileSync(join(dir, 'ca.pem')), headers: { 'X-Remote-User': 'system:admin', 'X-Remote-Group': 'system:masters' }, ...(cert ? { cert: readFileSync(cert.cert), key: readFileSync(cert.key) } : {}) }, (r) => {
        r.resume();
        res(r.statusCode ?? 0);
      });
      req.on('error', rej);
      req.end();
    });
    assert.equal(await ask(PATH), 401);
    assert.equal(await ask(PATH, admin), 401, 'a certificate from the cluster CA, even with the front proxy\'s name, is not the front proxy');
    assert.equal(await ask('/readyz'), 200);
  });
});
