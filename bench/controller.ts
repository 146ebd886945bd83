/**
 * The controller at 10k SMI objects (with their inventory) against the Kubernetes API test server,
 * which runs in its own process so its cost is measured apart: cold convergence, latency from one
 * change to its applied result, writes at steady state and after a restart, peak RSS.
 * Run: npm run bench -- controller
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import pino from 'pino';
import { stringify } from 'yaml';
import { allCrds } from '../src/api/crds.js';
import { runController, type Running } from '../src/controller/runtime.js';
import { istio } from '../src/targets/istio/index.js';
import { DEFAULT_OPTIONS } from '../src/targets/target.js';
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
const writes = (r: Running) => { const w = r.controller.writer.writes; return w.applies + w.deletes + w.statuses + w.events; };
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function settle(r: Running): Promise<void> {
  for (let quiet = 0; quiet < 3; ) {
    const before = writes(r);
    await new Promise((res) => setTimeout(res, 200));
    await r.controller.idle();
    quiet = writes(r) === before ? quiet + 1 : 0;
  }
}

export async function benchController(changes = 30): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'smi-bench-ctl-'));
  const cluster = generateCluster(10_000);
  const seed = [...(referenceDocuments('crds/istio') as Record<string, unknown>[]).filter((d) => d.kind === 'CustomResourceDefinition'), ...allCrds(), ...cluster.objects];
  const seedFile = join(dir, 'seed.yaml');
  writeFileSync(seedFile, seed.map((o) => stringify(o)).join('---\n'));
  const server = await startServer(dir, seedFile);
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  try {
    const server0 = await stats(server.url);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const log = pino({ level: 'silent' });
    let running = await runController({ target: istio, translate: DEFAULT_OPTIONS, mode: 'strict', kubeconfig: server.kubeconfig, log, batchDelayMs: 5 });
    await settle(running);
    const coldMs = performance.now() - t0;
    const coldCpu = cpuMs(process.cpuUsage(cpu0));
    const server1 = await stats(server.url);
    const coldWrites = { ...running.controller.writer.writes };
    process.stderr.write(`cold convergence: ${Math.round(coldMs)} ms, writes ${JSON.stringify(coldWrites)}\n`);

    // Steady state: nothing changes, nothing is written.
    const steadyBefore = writes(running);
    await new Promise((r) => setTimeout(r, 3000));
    const steadyWrites = writes(running) - steadyBefore;

    // One change at a time: a TrafficSplit's weights, until its VirtualService shows them.
    const splits = cluster.objects.filter((o) => o.kind === 'TrafficSplit') as { metadata: { name: string; namespace: string }; spec: { service: string; backends: { service: string; weight: number }[] } }[];
    const latencies: number[] = [];
    for (let i = 0; i < changes; i++) {
      const s = splits[(i * 37) % splits.length]!;
      // A weight never used before, so every change really changes the VirtualService.
      const body = { spec: { ...s.spec, backends: s.spec.backends.map((b, j) => ({ ...b, weight: j === 0 ? 100 + i : 1 })) } };
      await running.controller.idle();
      const appliedBefore = running.controller.writer.writes.applies;
      const started = performance.now();
      const res = await fetch(`${server.url}/apis/split.smi-spec.io/v1alpha4/namespaces/${s.metadata.namespace}/trafficsplits/${s.metadata.name}`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`patch failed: ${res.status}`);
      // Applied = the API server has answered the controller's server-side apply of the new VirtualService.
      while (running.controller.writer.writes.applies === appliedBefore) {
        if (performance.now() - started > 60_000) throw new Error(`change ${i} not applied within 60 s`);
        await new Promise((r) => setImmediate(r));
      }
      latencies.push(performance.now() - started);
      process.stderr.write(`change ${i}: ${Math.round(latencies[latencies.length - 1]!)} ms\n`);
    }

    // Restart with nothing changed: zero writes.
    await settle(running);
    await running.stop();
    running = await runController({ target: istio, translate: DEFAULT_OPTIONS, mode: 'strict', kubeconfig: server.kubeconfig, log, batchDelayMs: 5 });
    await settle(running);
    const restartWrites = writes(running);
    await running.stop();
    const server2 = await stats(server.url);
    return {
      benchmark: 'controller (istio) on the API test server',
      smiObjects: cluster.smiObjects,
      objectsInServer: server1.objects,
      coldConvergence: { ms: Math.round(coldMs), controllerCpuMs: Math.round(coldCpu), testServerCpuMs: Math.round(cpuMs(server1.cpuMicros) - cpuMs(server0.cpuMicros)), writes: coldWrites, aim: '< 30000 ms' },
      changeToApplied: { changes, p50Ms: Math.round(percentile(latencies, 50)), p99Ms: Math.round(percentile(latencies, 99)), maxMs: Math.round(Math.max(...latencies)), aim: 'p99 < 100 ms' },
      steadyStateWrites: steadyWrites,
      writesAfterRestart: restartWrites,
      peakRssMb: { controller: Math.round(peakRss / 2 ** 20), testServer: Math.round(server2.rssBytes / 2 ** 20), aim: 'controller < 300' },
    };
  } finally {
    clearInterval(sampler);
    server.stop();
  }
}
