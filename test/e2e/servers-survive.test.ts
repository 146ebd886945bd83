/**
 * Every server of smi survives any single request: each runs as its own process (the real command
 * line), gets a corpus of malformed request lines, headers and bodies over raw sockets, and must
 * still answer afterwards. A request target that is not a URL gets a 400, not a crash.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../cluster/cluster.js';
import { generateCertificates } from '../../src/webhooks/certificates.js';
import { KubeApiServer } from '../support/kube-api/server.js';

const SMI = resolve(import.meta.dirname, '../support/smi-process.ts');
const EXAMPLES = resolve(import.meta.dirname, '../../examples/bookstore');

interface Served { readonly name: string; readonly port: number; readonly tls: boolean; readonly probe: string; readonly child: ChildProcess; log: string }

/** Sends raw bytes, returns what came back within the time (the status line is enough). */
function raw(s: Served, bytes: string | Buffer, ms = 800): Promise<string> {
  return new Promise((done) => {
    let got = '';
    const socket: Socket = s.tls ? connectTls({ host: '127.0.0.1', port: s.port, rejectUnauthorized: false }) : connectTcp({ host: '127.0.0.1', port: s.port });
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      done(got);
    };
    const timer = setTimeout(finish, ms);
    socket.on(s.tls ? 'secureConnect' : 'connect', () => socket.write(bytes));
    socket.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (/^HTTP\/1\.[01] \d{3}[^\r]*\r\n/.test(got) && (got.includes('\r\n\r\n') || got.length > 4096)) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
  });
}

const status = (answer: string) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0);

async function waitForPort(s: Served): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (s.child.exitCode !== null) throw new Error(`${s.name} exited ${s.child.exitCode}: ${s.log}`);
    if (status(await raw(s, `GET ${s.probe} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, 1000)) > 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${s.name} never answered: ${s.log}`);
}

function start(name: string, args: string[], port: number, tls: boolean, probe: string): Served {
  const child = spawn(process.execPath, ['--import', 'tsx', SMI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const s: Served = { name, port, tls, probe, child, log: '' };
  child.stdout!.on('data', (d: Buffer) => (s.log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (s.log += d.toString()));
  return s;
}

const deep = '['.repeat(20_000) + ']'.repeat(20_000);
const post = (path: string, body: string, extra = '') => `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

/** Request lines, headers and bodies no client should send. */
const CORPUS: string[] = [
  'GET http://[ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
  'GET http://[::1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
  'GET http://a:99999/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
  'GET //[/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
  'GET /%zz%ff?window=%ff&from=%00&to=a/b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
  'GET /api/check?from=a&to= HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
  'GET /api/traffic?window=-1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
  'GET /apis/metrics.smi-spec.io/v1alpha2/namespaces/%00/pods/x/edges?window=9999999999s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
  'GET /apis/metrics.smi-spec.io/v1alpha2/namespaces/a/pods?labelSelector=%28%28%28 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
  'GARBAGE\r\n\r\n',
  '\x00\x01\x02\x03\r\n\r\n',
  'GET / HTTP/9.9\r\n\r\n',
  'GET / HTTP/1.0\r\n\r\n',
  `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: ${'a'.repeat(40_000)}\r\n\r\n`,
  'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
  post('/validate', '{"apiVersion":'),
  post('/validate', deep),
  post('/validate', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', operation: 'CREATE', object: null } })),
  post('/validate', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', operation: 'UPDATE', object: 'boom', oldObject: [] } })),
  post('/validate', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', operation: 'CREATE', object: { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'HTTPRouteGroup', metadata: { name: 'g', annotations: { 'smi-spec.io/conversion-source': '{"apiVersion":"specs.smi-spec.io/v1alpha4","kind":"HTTPRouteGroup","spec":"boom"}' } }, spec: { matches: null } } } })),
  post('/convert', JSON.stringify({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'u', desiredAPIVersion: 'access.smi-spec.io/v1alpha2', objects: [{ apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 't' }, spec: 'boom' }, 7, null] } })),
  post('/convert', JSON.stringify({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'u', desiredAPIVersion: 'nope', objects: [{ apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 't' } }] } })),
  `POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${64 * 1024 * 1024}\r\n\r\n{"a":1}`,
  post('/api/view', 'x'),
];

describe('every server of smi survives any single request', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smi-survive-'));
  const servers: Served[] = [];
  let api: KubeApiServer | undefined;

  before(async () => {
    const certs = await generateCertificates({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    writeFileSync(join(dir, 'tls.crt'), certs.certPem);
    writeFileSync(join(dir, 'tls.key'), certs.keyPem);
    writeFileSync(join(dir, 'ca.crt'), certs.caPem);
    api = await new KubeApiServer().start();
    writeFileSync(join(dir, 'kubeconfig'), api.kubeconfig());
    const [dashboard, metrics, metricsTls, webhook, health, metricsAddr] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
    servers.push(
      start('dashboard', ['dashboard', '-f', EXAMPLES, '--mesh', 'istio', '--host', '127.0.0.1', '--port', String(dashboard)], dashboard, false, '/'),
      start('metrics-server (plain)', ['metrics-server', '--prometheus-url', 'http://127.0.0.1:9', '--mesh', 'istio', '--secure-port', String(metrics), '--no-cluster-selectors'], metrics, false, '/healthz'),
      start('metrics-server (TLS, front proxy)', ['metrics-server', '--prometheus-url', 'http://127.0.0.1:9', '--mesh', 'istio', '--secure-port', String(metricsTls), '--no-cluster-selectors',
        '--tls-cert-file', join(dir, 'tls.crt'), '--tls-private-key-file', join(dir, 'tls.key'), '--requestheader-client-ca-file', join(dir, 'ca.crt')], metricsTls, true, '/healthz'),
      start('webhook', ['webhook', '--tls-cert-file', join(dir, 'tls.crt'), '--tls-private-key-file', join(dir, 'tls.key'), '--port', String(webhook), '--no-cluster-checks'], webhook, true, '/validate'),
      start('controller health', ['controller', '--mesh', 'istio', '--kubeconfig', join(dir, 'kubeconfig'), '--health-addr', `127.0.0.1:${health}`, '--metrics-addr', `127.0.0.1:${metricsAddr}`], health, false, '/healthz'),
    );
    servers.push({ ...servers[4]!, name: 'controller metrics', port: metricsAddr, probe: '/metrics' });
    await Promise.all(servers.map(waitForPort));
  });

  after(async () => {
    for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGTERM');
    await Promise.all(servers.map((s) => (s.child.exitCode === null ? new Promise((r) => s.child.once('exit', r)) : undefined)));
    await api?.stop();
  });

  test('the whole corpus, request by request, to every server: each still answers afterwards', async () => {
    await Promise.all(servers.map(async (s) => {
      for (const bytes of CORPUS) {
        const answer = await raw(s, bytes);
        const code = status(answer);
        assert.notEqual(code, 500, `${s.name}: ${JSON.stringify(bytes.slice(0, 80))} answered 500:\n${answer.slice(0, 300)}`);
        assert.equal(s.child.exitCode, null, `${s.name} exited after ${JSON.stringify(bytes.slice(0, 80))}:\n${s.log.slice(-2000)}`);
      }
      const ok = status(await raw(s, `GET ${s.probe} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, 3000));
      assert.ok(ok > 0 && ok !== 500, `${s.name} no longer answers (${ok})`);
    }));
  });

  test('a request target that is not a URL is a 400 where the server reads its URL', async () => {
    for (const s of servers.filter((x) => !x.name.startsWith('controller'))) {
      for (const target of ['http://[', 'http://[::1', 'http://a:99999/']) {
        const answer = await raw(s, `${s.name === 'webhook' ? 'POST' : 'GET'} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`);
        assert.equal(status(answer), 400, `${s.name} ${target}: ${answer.slice(0, 200)}`);
      }
    }
  });

  test('the webhook: a body over the limit is refused from its Content-Length, before it is sent; deep JSON and null objects are 400s', async () => {
    const webhook = servers.find((s) => s.name === 'webhook')!;
    const started = Date.now();
    const big = await raw(webhook, `POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${64 * 1024 * 1024}\r\n\r\n{"a":`);
    assert.equal(status(big), 413, big.slice(0, 200));
    assert.ok(Date.now() - started < 2500, 'answered without waiting for the 64 MiB it announced');
    assert.equal(status(await raw(webhook, post('/validate', deep))), 400);
    assert.equal(status(await raw(webhook, CORPUS[19]!)), 400);
    const converted = await raw(webhook, CORPUS[22]!);
    assert.equal(status(converted), 200, converted.slice(0, 300));
    assert.match(converted, /"status":"Failure"/);
  });

  test('the dashboard refuses a Host that is not its own (DNS rebinding), and answers by IP and localhost', async () => {
    const dashboard = servers.find((s) => s.name === 'dashboard')!;
    assert.equal(status(await raw(dashboard, 'GET /api/view HTTP/1.1\r\nHost: evil.example.com\r\n\r\n')), 403);
    assert.equal(status(await raw(dashboard, 'GET /api/view HTTP/1.1\r\nHost: evil.example.com:8080\r\n\r\n')), 403);
    assert.ok([400, 403].includes(status(await raw(dashboard, 'GET /api/view HTTP/1.1\r\n\r\n'))), 'no Host at all: refused');
    assert.equal(status(await raw(dashboard, `GET /api/view HTTP/1.1\r\nHost: localhost:${dashboard.port}\r\n\r\n`)), 200);
    assert.equal(status(await raw(dashboard, `GET /api/view HTTP/1.1\r\nHost: 127.0.0.1:${dashboard.port}\r\n\r\n`)), 200);
  });

  test('the metrics-server without TLS listens on loopback only, and refuses a non-loopback address unless told', async () => {
    const { runCli } = await import('../support/cli.js');
    const refused = await runCli(['metrics-server', '--prometheus-url', 'http://127.0.0.1:9', '--mesh', 'istio', '--secure-port', '0', '--no-cluster-selectors', '--bind-address', '0.0.0.0']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /without TLS would serve every TrafficMetrics to anyone/);
    const plain = servers.find((s) => s.name === 'metrics-server (plain)')!;
    assert.match(plain.log, /"address":"127\.0\.0\.1"/);
  });
});
