/**
 * The controller at 10k SMI objects (with their inventory), against the Kubernetes API test server
 * and against the real kube-apiserver with etcd (controller-servers.ts); the server runs in its own
 * processes so its cost is measured apart: cold convergence, latency from one change to its applied
 * result, writes at steady state and after a restart, peak RSS and CPU.
 * Run: npm run bench -- controller (both), controller:test-server, controller:kube-apiserver
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allCrds } from '../src/api/crds.js';
import { referenceDocuments } from '../test/support/reference.js';
import { generateCluster } from './generate.js';
import { realServer, testServer, usage, type BenchServer } from './controller-servers.js';

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
const rssMb = (pid: number, field: 'VmHWM' | 'VmRSS') => Math.round(Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);

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
function watchVirtualServices(server: BenchServer): { next: (split: string) => Promise<void>; close: () => void } {
  const waiting = new Map<string, () => void>();
  const w = server.watch('/apis/networking.istio.io/v1/virtualservices?watch=true', (line) => {
    const e = JSON.parse(line) as { type: string; object: { metadata: { annotations?: Record<string, string> } } };
    if (e.type !== 'MODIFIED') return;
    for (const source of (e.object.metadata.annotations?.['smi-spec.io/source'] ?? '').split(',')) {
      waiting.get(source)?.();
      waiting.delete(source);
    }
  });
  return { next: (split) => new Promise((resolve) => waiting.set(split, resolve)), close: w.close };
}

export async function benchController(on: 'test-server' | 'kube-apiserver', changes = 30): Promise<Record<string, unknown>> {
  const cluster = generateCluster(10_000);
  type Obj = Parameters<typeof testServer>[0][number];
  const seed = [...(referenceDocuments('crds/istio') as Record<string, unknown>[]).filter((d) => d.kind === 'CustomResourceDefinition'), ...allCrds(), ...cluster.objects] as Obj[];
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const server = on === 'test-server' ? await testServer(seed) : await realServer(seed, log);
  const metricsPort = 19090 + Math.floor(Math.random() * 500);
  const watch = watchVirtualServices(server);
  try {
    const server0 = usage(server.pids());
    const t0 = performance.now();
    let controller = await startController(server.kubeconfig, metricsPort);
    const coldWrites = await settle(controller);
    // settle() waits a quiet second after the last write: that second is not convergence.
    const coldMs = performance.now() - t0 - 1000;
    const server1 = usage(server.pids());
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
      const res = await server.request('PATCH', `/apis/split.smi-spec.io/v1alpha4/namespaces/${s.metadata.namespace}/trafficsplits/${s.metadata.name}`, body, 'application/merge-patch+json');
      if (res.status >= 300) throw new Error(`patch failed: ${res.status} ${res.body}`);
      await Promise.race([applied, new Promise((_, reject) => setTimeout(() => reject(new Error(`change ${i} not applied within 60 s`)), 60_000))]);
      latencies.push(performance.now() - started);
      process.stderr.write(`change ${i}: ${Math.round(latencies[latencies.length - 1]!)} ms\n`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const controllerPeak = rssMb(controller.pid, 'VmHWM');
    // After the changes, at rest: what the caches hold, not the cold start's transient peak.
    const controllerSteady = rssMb(controller.pid, 'VmRSS');

    // Restart with nothing changed: zero writes.
    await settle(controller);
    await controller.stop();
    controller = await startController(server.kubeconfig, metricsPort);
    const restartWrites = total(await settle(controller));
    await controller.stop();
    const server2 = usage(server.pids());
    return {
      benchmark: `controller (istio) on ${server.name}, each in its own process`,
      smiObjects: cluster.smiObjects,
      objectsInServer: seed.length,
      coldConvergence: { ms: Math.round(coldMs), serverCpuMs: server1.cpuMs - server0.cpuMs, writes: coldWrites, aim: '< 30000 ms' },
      changeToApplied: { changes, p50Ms: Math.round(percentile(latencies, 50)), p99Ms: Math.round(percentile(latencies, 99)), maxMs: Math.round(Math.max(...latencies)), aim: 'p99 < 100 ms' },
      steadyStateWrites: steadyWrites,
      writesAfterRestart: restartWrites,
      peakRssMb: { controller: controllerPeak, server: server2.peakRssMb, aim: 'controller < 300' },
      controllerRssAtRestMb: controllerSteady,
    };
  } finally {
    watch.close();
    await server.stop();
  }
}
