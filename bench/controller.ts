/**
 * The controller at 10k SMI objects (with their inventory) against the Kubernetes API test server,
 * which runs in its own process so its cost is measured apart: cold convergence, latency from one
 * change to its applied result, writes at steady state and after a restart, peak RSS.
 * Run: npm run bench -- controller
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { stringify } from 'yaml';
import { allCrds } from '../src/api/crds.js';
import { referenceDocuments } from '../test/support/reference.js';
import { generateCluster } from './generate.js';

interface ServerProcess { url: string; kubeconfig: string; stop: () => void }

async function startServer(dir: string, seedFile: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../test/support/kube-api/standalone.ts'), '--seed', seedFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => (c.toString().includes('Kubernetes API test server on') ? resolve() : undefined));
    child.on('exit', (code) => reject(new Error(`test server exited ${code}`)));
  });
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, out);
  const url = /server: "([^"]+)"/.exec(out)![1]!;
  return { url, kubeconfig, stop: () => child.kill() };
}

const stats = async (url: string) => (await (await fetch(`${url}/debug/stats`)).json()) as { rssBytes: number; cpuMicros: { user: number; system: number }; objects: number; requests: number };
const cpuMs = (c: { user: number; system: number }) => (c.user + c.system) / 1000;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

interface ControllerProcess { pid: number; metricsPort: number; stop: () => Promise<void> }

async function startController(kubeconfig: string, metricsPort: number): Promise<ControllerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../test/support/smi-process.ts'), 'controller', '--mesh', 'istio', '--kubeconfig', kubeconfig, '--metrics-addr', `127.0.0.1:${metricsPort}`, '--health-addr', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { pid: child.pid!, metricsPort, stop: () => new Promise((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }) };
}

/** Counters from the controller's own /metrics (prom-client). */
async function writes(c: ControllerProcess): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${c.metricsPort}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^smi_controller_writes_total\{verb="(\w+)"\} (\d+)/gm)) out[m[1]!] = Number(m[2]);
  return out;
}
const total = (w: Record<string, number>) => Object.values(w).reduce((a, b) => a + b, 0);
const peakRssMb = (pid: number) => Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);

/** Until the controller has written nothing new for a second. */
async function settle(c: ControllerProcess): Promise<Record<string, number>> {
  let last = -1;
  for (let quiet = 0; quiet < 5; ) {
    await new Promise((r) => setTimeout(r, 200));
    const now = total(await writes(c));
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
  return writes(c);
}

/** One watch on VirtualServices; resolves waiters when the VirtualService of a split is modified. */
function watchVirtualServices(url: string): { next: (split: string) => Promise<void>; close: () => void } {
  const waiting = new Map<string, () => void>();
  const controller = new AbortController();
  void (async () => {
    const r = await fetch(`${url}/apis/networking.istio.io/v1/virtualservices?watch=true`, { signal: controller.signal });
    const reader = r.body!.getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += new TextDecoder().decode(value);
      let i;
      while ((i = buffer.indexOf('\n')) >= 0) {
        const e = JSON.parse(buffer.slice(0, i)) as { type: string; object: { metadata: { annotations?: Record<string, string> } } };
        buffer = buffer.slice(i + 1);
        if (e.type !== 'MODIFIED') continue;
        for (const source of (e.object.metadata.annotations?.['smi-spec.io/source'] ?? '').split(',')) {
          waiting.get(source)?.();
          waiting.delete(source);
        }
      }
    }
  })();
  return { next: (split) => new Promise((resolve) => waiting.set(split, resolve)), close: () => controller.abort() };
}

export async function benchController(changes = 30): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'smi-bench-ctl-'));
  const cluster = generateCluster(10_000);
  const seed = [...(referenceDocuments('crds/istio') as Record<string, unknown>[]).filter((d) => d.kind === 'CustomResourceDefinition'), ...allCrds(), ...cluster.objects];
  const seedFile = join(dir, 'seed.yaml');
  writeFileSync(seedFile, seed.map((o) => stringify(o)).join('---\n'));
  const server = await startServer(dir, seedFile);
  const metricsPort = 19090 + Math.floor(Math.random() * 500);
  const watch = watchVirtualServices(server.url);
  try {
    const server0 = await stats(server.url);
    const t0 = performance.now();
    let controller = await startController(server.kubeconfig, metricsPort);
    const coldWrites = await settle(controller);
    // settle() waits a quiet second after the last write: that second is not convergence.
    const coldMs = performance.now() - t0 - 1000;
    const server1 = await stats(server.url);
    process.stderr.write(`cold convergence: ${Math.round(coldMs)} ms, writes ${JSON.stringify(coldWrites)}\n`);

    const steadyBefore = total(await writes(controller));
    await new Promise((r) => setTimeout(r, 3000));
    const steadyWrites = total(await writes(controller)) - steadyBefore;

    // One change at a time: a TrafficSplit's weights, until the API server has its new VirtualService.
    const splits = cluster.objects.filter((o) => o.kind === 'TrafficSplit') as { metadata: { name: string; namespace: string }; spec: { service: string; backends: { service: string; weight: number }[] } }[];
    const latencies: number[] = [];
    for (let i = 0; i < changes; i++) {
      const s = splits[(i * 37) % splits.length]!;
      // A weight never used before, so every change really changes the VirtualService.
      const body = { spec: { ...s.spec, backends: s.spec.backends.map((b, j) => ({ ...b, weight: j === 0 ? 100 + i : 1 })) } };
      const applied = watch.next(`TrafficSplit/${s.metadata.namespace}/${s.metadata.name}`);
      const started = performance.now();
      const res = await fetch(`${server.url}/apis/split.smi-spec.io/v1alpha4/namespaces/${s.metadata.namespace}/trafficsplits/${s.metadata.name}`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`patch failed: ${res.status}`);
      await Promise.race([applied, new Promise((_, reject) => setTimeout(() => reject(new Error(`change ${i} not applied within 60 s`)), 60_000))]);
      latencies.push(performance.now() - started);
      process.stderr.write(`change ${i}: ${Math.round(latencies[latencies.length - 1]!)} ms\n`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const controllerPeak = peakRssMb(controller.pid);

    // Restart with nothing changed: zero writes.
    await settle(controller);
    await controller.stop();
    controller = await startController(server.kubeconfig, metricsPort);
    const restartWrites = total(await settle(controller));
    await controller.stop();
    const server2 = await stats(server.url);
    return {
      benchmark: 'controller (istio) on the API test server, each in its own process',
      smiObjects: cluster.smiObjects,
      objectsInServer: server1.objects,
      coldConvergence: { ms: Math.round(coldMs), testServerCpuMs: Math.round(cpuMs(server1.cpuMicros) - cpuMs(server0.cpuMicros)), writes: coldWrites, aim: '< 30000 ms' },
      changeToApplied: { changes, p50Ms: Math.round(percentile(latencies, 50)), p99Ms: Math.round(percentile(latencies, 99)), maxMs: Math.round(Math.max(...latencies)), aim: 'p99 < 100 ms' },
      steadyStateWrites: steadyWrites,
      writesAfterRestart: restartWrites,
      peakRssMb: { controller: controllerPeak, testServer: Math.round(server2.rssBytes / 2 ** 20), aim: 'controller < 300' },
    };
  } finally {
    watch.close();
    server.stop();
  }
}
