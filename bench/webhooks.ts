/**
 * The webhooks over HTTPS on loopback, served by `smi webhook` in its own process, started as the
 * image starts it (dist/ and the Dockerfile's node flags; `npm run build` first):
 * - admission at a fixed arrival rate (open loop: request i is due at i / rate, whether or not earlier
 *   ones have been answered, and its latency counts from when it was due — a slow answer cannot hide
 *   the requests queued behind it), a typical TrafficTarget, 1,000 reviews/s for 30 s by default;
 * - saturation: the throughput with many requests kept in flight (closed loop), reported apart;
 * - conversion throughput (TrafficSplits v1alpha1 → v1alpha4 in reviews of 100).
 * Run: npm run bench -- webhooks   (SMI_BENCH_WEBHOOK_RATE, _SECONDS and _WORKERS=1,2 change the load and the processes)
 */
import { request, Agent } from 'node:https';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { generateCertificates } from '../src/webhooks/certificates.js';
import { imageNodeFlags } from './controller.js';

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
const ms = (x: number) => +x.toFixed(2);
const cpuMs = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
};

/** Requests due at a fixed rate; each latency from when it was due. */
async function openLoop(rate: number, seconds: number, send: (i: number) => Promise<number>): Promise<{ latencies: number[]; serviceTimes: number[]; late: number }> {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  const serviceTimes: number[] = [];
  let sent = 0;
  let late = 0;
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) * rate) / 1000) + 1);
      // More than one due per tick is normal (timers fire every ~1 ms); more than 5 ms behind means the generator lags.
      if (due - sent > rate / 200) late++;
      for (; sent < due; sent++) {
        const dueAt = t0 + (sent * 1000) / rate;
        const i = sent;
        pending.push(send(i).then((service) => {
          const end = performance.now();
          latencies.push(end - dueAt);
          serviceTimes.push(service);
        }));
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await Promise.all(pending);
  return { latencies, serviceTimes, late };
}

/** CPU of a process and its children (the workers of `--workers`). */
function treeCpuMs(pid: number): number {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter((x) => x !== '').map(Number);
  } catch {
    children = [];
  }
  return cpuMs(pid) + children.reduce((sum, c) => sum + treeCpuMs(c), 0);
}

export async function benchWebhooks(): Promise<Record<string, unknown>> {
  // One process (the default), then two on the same port: a second core, shared here with the load generator.
  const runs = [];
  for (const workers of (process.env.SMI_BENCH_WEBHOOK_WORKERS ?? '1,2').split(',').map(Number)) runs.push(await measure(workers));
  return { benchmark: 'webhooks over HTTPS (loopback, keep-alive)', nodeFlags: imageNodeFlags(), runs };
}

async function measure(workers: number): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'smi-bench-webhook-'));
  const certs = await generateCertificates({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  writeFileSync(join(dir, 'tls.crt'), certs.certPem);
  writeFileSync(join(dir, 'tls.key'), certs.keyPem);
  // The webhook in its own process (as deployed), so the load generator's CPU is not counted against it.
  const port = 19600 + Math.floor(Math.random() * 300);
  const child = spawn(process.execPath, [...imageNodeFlags(), join(import.meta.dirname, '../bin/smi.js'), 'webhook', '--port', String(port), '--tls-cert-file', join(dir, 'tls.crt'), '--tls-private-key-file', join(dir, 'tls.key'), '--no-cluster-checks', ...(workers > 1 ? ['--workers', String(workers)] : [])], { stdio: ['ignore', 'ignore', 'inherit'] });
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
    // Warm up: the code is hot and the TLS connections the open loop needs exist before timing (as they would in a running cluster).
    await Promise.all(Array.from({ length: 32 }, async (_, w) => { for (let i = 0; i < 30; i++) await post(server.port, '/validate', review(w * 100 + i), agent); }));

    const rate = Number(process.env.SMI_BENCH_WEBHOOK_RATE ?? 1000);
    const seconds = Number(process.env.SMI_BENCH_WEBHOOK_SECONDS ?? 30);
    const cpu0 = treeCpuMs(child.pid!);
    const open = await openLoop(rate, seconds, (i) => post(server.port, '/validate', review(i), agent));
    const openCpuShare = (treeCpuMs(child.pid!) - cpu0) / (seconds * 1000);

    // Saturation: as many answers a second as the process gives with 64 requests always in flight.
    const latencies: number[] = [];
    const total = 10_000;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 64 }, async () => {
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
      workers,
      admissionOpenLoop: {
        ratePerSecond: rate, seconds, requests: open.latencies.length,
        p50Ms: ms(percentile(open.latencies, 50)), p99Ms: ms(percentile(open.latencies, 99)), p999Ms: ms(percentile(open.latencies, 99.9)), maxMs: ms(Math.max(...open.latencies)),
        serviceP99Ms: ms(percentile(open.serviceTimes, 99)), webhookCpuShare: +openCpuShare.toFixed(2), generatorLagTicks: open.late, aim: 'p99 < 5 ms on one core',
      },
      admissionSaturation: { requests: total, inFlight: 64, perSecond: Math.round(total / admissionSeconds), p50Ms: ms(percentile(latencies, 50)), p99Ms: ms(percentile(latencies, 99)) },
      conversion: { reviews, objectsPerReview: 100, objectsPerSecond: Math.round((reviews * 100) / conversionSeconds) },
    };
  } finally {
    agent.destroy();
    await server.stop();
  }
}
