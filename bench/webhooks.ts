/**
 * The webhooks over HTTPS on loopback, served by `smi webhook` in its own process: admission latency with 200 requests in flight (a typical
 * TrafficTarget), and conversion throughput (TrafficSplits v1alpha1 → v1alpha4 in reviews of 100).
 * Run: npm run bench -- webhooks
 */
import { request, Agent } from 'node:https';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { generateCertificates } from '../src/webhooks/certificates.js';

function post(port: number, path: string, body: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, servername: 'localhost', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

export async function benchWebhooks(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'smi-bench-webhook-'));
  const certs = await generateCertificates({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  writeFileSync(join(dir, 'tls.crt'), certs.certPem);
  writeFileSync(join(dir, 'tls.key'), certs.keyPem);
  // The webhook in its own process (as deployed), so the load generator's CPU is not counted against it.
  const port = 19600 + Math.floor(Math.random() * 300);
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../test/support/smi-process.ts'), 'webhook', '--port', String(port), '--tls-cert-file', join(dir, 'tls.crt'), '--tls-private-key-file', join(dir, 'tls.key'), '--no-cluster-checks'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const server = { port, stop: () => new Promise<void>((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }) };
  for (let up = false; !up; ) {
    up = await post(port, '/validate', '{}', new Agent({ ca: certs.caPem })).then(() => true, (e: Error) => e.message.startsWith('status'));
    if (!up) await new Promise((r) => setTimeout(r, 100));
  }
  // As kube-apiserver does: keep-alive connections, up to 200 in flight.
  const agent = new Agent({ keepAlive: true, maxSockets: 200, ca: certs.caPem });
  try {
    const tt = {
      apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 'web-to-api', namespace: 'shop' },
      spec: { destination: { kind: 'ServiceAccount', name: 'api', namespace: 'shop' }, rules: [{ kind: 'HTTPRouteGroup', name: 'api-routes', matches: ['read', 'write'] }, { kind: 'TCPRoute', name: 'tcp' }], sources: [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop' }, { kind: 'ServiceAccount', name: 'cron', namespace: 'jobs' }] },
    };
    const review = (i: number) => JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: `u${i}`, operation: 'CREATE', namespace: 'shop', object: tt } });
    // Warm up with the same concurrency, so the 200 TLS connections exist before timing (as they would in a running cluster).
    await Promise.all(Array.from({ length: 200 }, async (_, w) => { for (let i = 0; i < 5; i++) await post(server.port, '/validate', review(w * 10 + i), agent); }));
    const latencies: number[] = [];
    const total = 10_000;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 200 }, async () => {
      while (next < total) latencies.push(await post(server.port, '/validate', review(next++), agent));
    }));
    const admissionSeconds = (performance.now() - t0) / 1000;

    const splits = Array.from({ length: 100 }, (_, i) => ({ apiVersion: 'split.smi-spec.io/v1alpha1', kind: 'TrafficSplit', metadata: { name: `s${i}`, namespace: 'shop' }, spec: { service: 'web', backends: [{ service: 'web-v1', weight: '900m' }, { service: 'web-v2', weight: '100m' }] } }));
    const conversion = JSON.stringify({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'c', desiredAPIVersion: 'split.smi-spec.io/v1alpha4', objects: splits } });
    const reviews = 300;
    let done = 0;
    const t1 = performance.now();
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (done < reviews) {
        done++;
        await post(server.port, '/convert', conversion, agent);
      }
    }));
    const conversionSeconds = (performance.now() - t1) / 1000;
    return {
      benchmark: 'webhooks over HTTPS (loopback, keep-alive)',
      admission: { requests: total, inFlight: 200, p50Ms: +percentile(latencies, 50).toFixed(2), p99Ms: +percentile(latencies, 99).toFixed(2), perSecond: Math.round(total / admissionSeconds), aim: 'p99 < 10 ms' },
      conversion: { reviews, objectsPerReview: 100, objectsPerSecond: Math.round((reviews * 100) / conversionSeconds) },
    };
  } finally {
    agent.destroy();
    await server.stop();
  }
}
