/**
 * The controller at 10k SMI objects (with their inventory), against the Kubernetes API test server
 * (every mesh) and against the real kube-apiserver with etcd (istio; controller-servers.ts); the
 * server runs in its own processes so its cost is measured apart: cold convergence, latency from one
 * change to its applied result, writes at steady state and after a restart, peak RSS and CPU.
 * The controller runs as its image runs it: the built dist/ with the node flags of the Dockerfile's
 * ENTRYPOINT (run `npm run build` first).
 * Run: npm run bench -- controller (all), controller:test-server (every mesh),
 * controller:test-server:<mesh>, controller:kube-apiserver
 */
import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allCrds } from '../src/api/crds.js';
import { referenceDocuments } from '../test/support/reference.js';
import { generateCluster } from './generate.js';
import { realServer, testServer, usage, type BenchServer } from './controller-servers.js';
import { writeFloor, type Floor } from './controller-floor.js';
import { anchorMemory, goAnchor } from './go-anchor.js';
import { INVENTORY_KINDS, NAMESPACE_KIND, smiKinds } from '../src/api/watched-kinds.js';
import { findTarget } from '../src/targets/registry.js';
import { ownedKinds, WRITE_CONCURRENCY } from '../src/controller/controller.js';
import { kindPath } from '../src/api/watched-kinds.js';
import { DEFAULT_OPTIONS, type TranslateOptions } from '../src/targets/target.js';

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

interface ControllerProcess { pid: number; metricsPort: number; stop: () => Promise<void> }

/** Each mesh with the CRDs it writes and the options that make sense on the generated cluster. */
export const BENCH_MESHES: Record<string, { crds: string[]; flags: string[]; options: TranslateOptions }> = {
  istio: { crds: ['crds/istio'], flags: [], options: DEFAULT_OPTIONS },
  linkerd: { crds: ['crds/linkerd', 'crds/gateway-api'], flags: ['--linkerd-default-policy', 'deny'], options: { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' } },
  'gateway-api': { crds: ['crds/gateway-api', 'crds/istio'], flags: ['--authz', 'istio'], options: { ...DEFAULT_OPTIONS, authz: 'istio' } },
  // Without Consul Enterprise namespaces every app-N of the 100 namespaces would be one Consul service.
  consul: { crds: ['crds/consul'], flags: ['--consul-namespaces', 'mirror'], options: { ...DEFAULT_OPTIONS, consulNamespaces: 'mirror' } },
  appmesh: { crds: ['crds/appmesh'], flags: [], options: DEFAULT_OPTIONS },
  cilium: { crds: ['crds/cilium', 'crds/gateway-api'], flags: [], options: DEFAULT_OPTIONS },
};

/** The node flags the image starts smi with (the Dockerfile's ENTRYPOINT, between "node" and the script). */
export function imageNodeFlags(): string[] {
  const dockerfile = readFileSync(join(import.meta.dirname, '../Dockerfile'), 'utf8');
  const entry = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1];
  const argv = entry ? (JSON.parse(entry) as string[]) : [];
  return argv.slice(1, argv.findIndex((a) => a.endsWith('smi.js')));
}

/** The controller's log lines: to the file SMI_BENCH_CONTROLLER_LOG names (appended), else dropped. */
const controllerLog = (): 'ignore' | number => (process.env.SMI_BENCH_CONTROLLER_LOG ? openSync(process.env.SMI_BENCH_CONTROLLER_LOG, 'a') : 'ignore');

async function startController(kubeconfig: string, metricsPort: number, mesh: string): Promise<ControllerProcess> {
  const bin = join(import.meta.dirname, '../bin/smi.js');
  // SMI_BENCH_CONTROLLER_NODE_FLAGS adds node flags (a CPU profile: --cpu-prof --cpu-prof-dir=DIR).
  const extra = (process.env.SMI_BENCH_CONTROLLER_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');
  const child = spawn(process.execPath, [...imageNodeFlags(), ...extra, bin, 'controller', '--mesh', mesh, ...BENCH_MESHES[mesh]!.flags, '--kubeconfig', kubeconfig, '--metrics-addr', `127.0.0.1:${metricsPort}`, '--health-addr', '127.0.0.1:0'], { stdio: ['ignore', controllerLog(), 'inherit'] });
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    pid: child.pid!, metricsPort,
    stop: () => new Promise((r) => {
      if (child.exitCode !== null || child.signalCode !== null) return r();
      child.once('exit', () => r());
      child.kill('SIGTERM');
    }),
  };
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

/**
 * Until the controller has written nothing new for a second, after its caches synced (a slow start
 * with no writes yet is not convergence) — `atLeast` writes when some are known to be due.
 */
async function settle(c: ControllerProcess, atLeast = 0): Promise<Record<string, number>> {
  let last = -1;
  for (let quiet = 0; quiet < 5; ) {
    await new Promise((r) => setTimeout(r, 200));
    const text = await (await fetch(`http://127.0.0.1:${c.metricsPort}/metrics`)).text();
    const now = total(await writes(c));
    const synced = /^smi_controller_reconciles_total\{result="ok"\} [1-9]/m.test(text);
    quiet = now === last && synced && now >= atLeast ? quiet + 1 : 0;
    last = now;
  }
  return writes(c);
}

/** Watches on what the mesh writes; resolves waiters when a resource made from a split is modified. */
function watchSplitResources(server: BenchServer, mesh: string): { next: (split: string) => Promise<void>; close: () => void } {
  const waiting = new Map<string, () => void>();
  const target = findTarget(mesh)!;
  const watches = ownedKinds(target, BENCH_MESHES[mesh]!.options).map((k) => server.watch(`${kindPath(k)}?watch=true`, (line) => {
    const e = JSON.parse(line) as { type: string; object: { metadata: { annotations?: Record<string, string> } } };
    if (e.type !== 'MODIFIED' && e.type !== 'ADDED') return;
    for (const source of (e.object.metadata.annotations?.['smi-spec.io/source'] ?? '').split(',')) {
      waiting.get(source)?.();
      waiting.delete(source);
    }
  }));
  return { next: (split) => new Promise((resolve) => waiting.set(split, resolve)), close: () => watches.forEach((w) => w.close()) };
}


/**
 * Linkerd reads TCPRoute as v1alpha2, which the Gateway API CRDs Linkerd bundles still serve (the
 * standard channel's copy here serves v1 only): the cluster Linkerd runs in.
 */
function servingEveryVersion(crd: Record<string, unknown>, name: string): Record<string, unknown> {
  const meta = crd.metadata as { name?: string };
  if (meta.name !== name) return crd;
  const spec = crd.spec as { versions: { served: boolean }[] };
  return { ...crd, spec: { ...spec, versions: spec.versions.map((v) => ({ ...v, served: true })) } };
}

type Split = { metadata: { name: string; namespace: string }; spec: { service: string; backends: { service: string; weight: number }[] } };

/** A new weight for a split (never used before, so the mesh resource made from it really changes), until a watch sees it applied. */
async function changeSplit(server: BenchServer, watch: ReturnType<typeof watchSplitResources>, s: Split, weight: number, second?: number): Promise<number> {
  const body = { spec: { ...s.spec, backends: s.spec.backends.map((b, j) => ({ ...b, weight: j === 0 ? weight : second === undefined ? 1 : j === 1 ? second : 0 })) } };
  const applied = watch.next(`TrafficSplit/${s.metadata.namespace}/${s.metadata.name}`);
  const started = performance.now();
  const res = await server.request('PATCH', `/apis/split.smi-spec.io/v1alpha4/namespaces/${s.metadata.namespace}/trafficsplits/${s.metadata.name}`, body, 'application/merge-patch+json');
  if (res.status >= 300) throw new Error(`patch failed: ${res.status} ${res.body}`);
  await Promise.race([applied, new Promise((_, reject) => setTimeout(() => reject(new Error(`split ${s.metadata.namespace}/${s.metadata.name} not applied within 120 s`)), 120_000))]);
  return performance.now() - started;
}

/** Changes for `minutes`, each awaited until applied; RSS every 30 s (first sample after the first minute's changes). */
async function soakTest(server: BenchServer, watch: ReturnType<typeof watchSplitResources>, splits: Split[], pid: number, minutes: number): Promise<Record<string, unknown> | undefined> {
  if (!(minutes > 0)) return undefined;
  const end = performance.now() + minutes * 60_000;
  const samples: { minute: number; rssMb: number }[] = [];
  const started = performance.now();
  let next = started + 60_000;
  let changes = 0;
  const latencies: number[] = [];
  // Each change must make a resource the controller has not already written, or no watch event comes:
  // weights w and 100 − w on the first two backends (exact percentages, 0 on any other), w from 5 to
  // 95 and never the one that split had last.
  const last = new Map<Split, number>();
  while (performance.now() < end) {
    const s = splits[(changes * 53) % splits.length]!;
    let weight = 5 + (changes % 91);
    // (the generated split starts at its own first weight: that counts as its last one too)
    if ((last.get(s) ?? s.spec.backends[0]?.weight) === weight) weight = weight === 95 ? 5 : weight + 1;
    last.set(s, weight);
    latencies.push(await changeSplit(server, watch, s, weight, 100 - weight));
    changes++;
    if (performance.now() >= next) {
      samples.push({ minute: Math.round((performance.now() - started) / 6000) / 10, rssMb: rssMb(pid, 'VmRSS') });
      process.stderr.write(`soak: ${changes} changes, RSS ${samples.at(-1)!.rssMb} MB at minute ${samples.at(-1)!.minute}\n`);
      next += 30_000;
    }
  }
  const rss = samples.map((x) => x.rssMb);
  const half = Math.floor(rss.length / 2);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    minutes, changes, p50Ms: Math.round(percentile(latencies, 50)), p99Ms: Math.round(percentile(latencies, 99)),
    rssMb: { first: rss[0], last: rss.at(-1), min: Math.min(...rss), max: Math.max(...rss), firstHalfMean: Math.round(mean(rss.slice(0, half))), secondHalfMean: Math.round(mean(rss.slice(half))) },
    samples,
  };
}

export async function benchController(on: 'test-server' | 'kube-apiserver', mesh = 'istio', changes = 30): Promise<Record<string, unknown>> {
  const cluster = generateCluster(10_000);
  type Obj = Parameters<typeof testServer>[0][number];
  const crds = BENCH_MESHES[mesh]!.crds.flatMap((folder) => (referenceDocuments(folder) as Record<string, unknown>[]).filter((d) => d.kind === 'CustomResourceDefinition'))
    .map((d) => (mesh === 'linkerd' ? servingEveryVersion(d, 'tcproutes.gateway.networking.k8s.io') : d));
  const seed = [...crds, ...allCrds(), ...cluster.objects] as Obj[];
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const server = on === 'test-server' ? await testServer(seed) : await realServer(seed, log);
  const metricsPort = 19090 + Math.floor(Math.random() * 500);
  const watch = watchSplitResources(server, mesh);
  let controller: ControllerProcess | undefined;
  try {
    const server0 = usage(server.pids());
    const t0 = performance.now();
    controller = await startController(server.kubeconfig, metricsPort, mesh);
    const splits = cluster.objects.filter((o) => o.kind === 'TrafficSplit') as Split[];
    // A change while the cold start is under way, in the namespace its sweep reaches last: how long it
    // waits behind the sweep (the cold start's remaining time, if the queue were first come first served).
    while (total(await writes(controller)) === 0) await new Promise((r) => setTimeout(r, 50));
    const lastNamespace = [...new Set(splits.map((s) => s.metadata.namespace))].sort().at(-1)!;
    const duringColdStartMs = Math.round(await changeSplit(server, watch, splits.find((s) => s.metadata.namespace === lastNamespace)!, 99));
    process.stderr.write(`a change during the cold start (namespace ${lastNamespace}): ${duringColdStartMs} ms\n`);
    const coldWrites = await settle(controller, 1);
    // settle() waits a quiet second after the last write: that second is not convergence.
    const coldMs = performance.now() - t0 - 1000;
    const server1 = usage(server.pids());
    const controllerCold = usage([controller.pid]);
    process.stderr.write(`cold convergence: ${Math.round(coldMs)} ms, writes ${JSON.stringify(coldWrites)}\n`);

    const steadyBefore = total(await writes(controller));
    await new Promise((r) => setTimeout(r, 3000));
    const steadyWrites = total(await writes(controller)) - steadyBefore;

    // One change at a time: a TrafficSplit's weights, until the API server has what the mesh made of it.
    const latencies: number[] = [];
    for (let i = 0; i < changes; i++) {
      latencies.push(await changeSplit(server, watch, splits[(i * 37) % splits.length]!, 100 + i));
      process.stderr.write(`change ${i}: ${Math.round(latencies[latencies.length - 1]!)} ms\n`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // SMI_BENCH_SOAK_MINUTES: changes one after another for that long, the controller's RSS sampled
    // every 30 s — whether memory stays flat after convergence (issue #34).
    const soak = await soakTest(server, watch, splits, controller.pid, Number(process.env.SMI_BENCH_SOAK_MINUTES ?? 0));
    const controllerPeak = rssMb(controller.pid, 'VmHWM');
    // After the changes, at rest: what the caches hold, not the cold start's transient peak.
    const controllerSteady = rssMb(controller.pid, 'VmRSS');

    // Restart with nothing changed: zero writes.
    await settle(controller);
    await controller.stop();
    controller = await startController(server.kubeconfig, metricsPort, mesh);
    const restartWrites = total(await settle(controller));
    const controllerRestartPeak = rssMb(controller.pid, 'VmHWM');
    await controller.stop();
    // The Go anchor: a tuned controller-runtime cache of the same kinds, on the same server, alone.
    // Only on kube-apiserver: client-go does not sync against the API test server (its own memory
    // figure is the real server's anyway).
    const owned = ownedKinds(findTarget(mesh)!, BENCH_MESHES[mesh]!.options);
    const anchor = on === 'kube-apiserver' ? await anchorMemory(goAnchor(log), server.kubeconfig, [...smiKinds(), ...INVENTORY_KINDS, NAMESPACE_KIND, ...owned]) : undefined;
    if (anchor) process.stderr.write(`Go anchor (controller-runtime, typed built-ins, managedFields stripped): ${JSON.stringify(anchor)}\n`);
    const server2 = usage(server.pids());
    // The server's floor for the cold start's writes, at the controller's concurrency and at four times it.
    const counts = { apply: coldWrites.apply ?? 0, status: coldWrites.status ?? 0, event: coldWrites.event ?? 0 };
    const floors: Floor[] = [];
    for (const concurrency of [WRITE_CONCURRENCY, 4 * WRITE_CONCURRENCY]) {
      floors.push(await writeFloor(server, owned, counts, concurrency, `floor${concurrency}`));
      process.stderr.write(`floor at ${concurrency} in flight: ${JSON.stringify(floors.at(-1))}\n`);
    }
    return {
      benchmark: `controller (${mesh}) on ${server.name}, each in its own process`,
      mesh,
      nodeFlags: imageNodeFlags(),
      smiObjects: cluster.smiObjects,
      objectsInServer: seed.length,
      coldConvergence: { ms: Math.round(coldMs), serverCpuMs: server1.cpuMs - server0.cpuMs, controllerCpuMs: controllerCold.cpuMs, writes: coldWrites, aim: '≤ 1.3 × the floor' },
      floor: floors,
      coldOverFloor: Number((coldMs / floors[0]!.ms).toFixed(2)),
      changeDuringColdStartMs: duringColdStartMs,
      changeToApplied: { changes, p50Ms: Math.round(percentile(latencies, 50)), p99Ms: Math.round(percentile(latencies, 99)), maxMs: Math.round(Math.max(...latencies)), aim: 'p99 < 100 ms' },
      steadyStateWrites: steadyWrites,
      writesAfterRestart: restartWrites,
      peakRssMb: { controller: controllerPeak, controllerOnRestart: controllerRestartPeak, ...(anchor ? { goAnchor: anchor.peakRssMb } : {}), server: server2.peakRssMb, aim: 'controller ≤ the Go anchor, cold and on restart' },
      ...(anchor ? { goAnchor: anchor } : {}),
      ...(soak ? { soak } : {}),
      controllerRssAtRestMb: controllerSteady,
    };
  } finally {
    watch.close();
    // A run that failed half-way must not leave its controller behind, running into the next one.
    await controller?.stop();
    await server.stop();
  }
}
