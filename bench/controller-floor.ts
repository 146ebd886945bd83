/**
 * The server's floor for a cold start: as many server-side applies, status applies and events as the
 * controller wrote, sent by a plain HTTP client (no cache, no planning, no client library) at a given
 * concurrency, on the same server, after the controller has stopped. What the controller takes beyond
 * this is its own cost; what this takes is the server's.
 *
 * The applies are copies of what the controller wrote (same kinds, namespaces, specs) under new names,
 * so each one creates an object as the cold start did; the status applies set a condition with a new
 * message on the SMI objects, so each changes what the server stores; the events are Warnings on them.
 */
import { kindPath, smiKinds, type WatchedKind } from '../src/api/watched-kinds.js';
import { inParallel as eachInParallel, usage, type BenchServer } from './controller-servers.js';

/** `work(i)` for i below `count`, `width` at a time. */
const inParallel = (count: number, width: number, work: (i: number) => Promise<void>) => eachInParallel(Array.from({ length: count }, (_, i) => i), width, work);

export interface WriteCounts { readonly apply: number; readonly status: number; readonly event: number }

export interface Floor {
  readonly concurrency: number;
  readonly ms: number;
  readonly writes: WriteCounts;
  readonly writesPerSecond: number;
  readonly serverCpuMs: number;
}

type Listed = { apiVersion?: string; kind?: string; metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: unknown };

async function list(server: BenchServer, k: WatchedKind): Promise<Listed[]> {
  const r = await server.request('GET', kindPath(k));
  if (r.status >= 300) return [];
  return ((JSON.parse(r.body) as { items?: Listed[] }).items ?? []).map((o) => ({ ...o, apiVersion: k.apiVersion, kind: k.kind }));
}

async function send(server: BenchServer, method: string, path: string, body: unknown, contentType: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const r = await server.request(method, path, body, contentType);
    if (r.status < 300) return;
    if ((r.status === 429 || r.status >= 500) && attempt < 20) {
      await new Promise((res) => setTimeout(res, 50));
      continue;
    }
    throw new Error(`${method} ${path}: ${r.status} ${r.body.slice(0, 300)}`);
  }
}

const APPLY = 'application/apply-patch+yaml'; // a JSON body is YAML

/** The floor at one concurrency; `tag` keeps the names of separate runs apart. */
export async function writeFloor(server: BenchServer, owned: readonly WatchedKind[], counts: WriteCounts, concurrency: number, tag: string): Promise<Floor> {
  const written = (await Promise.all(owned.filter((k) => k.namespaced).map(async (k) => (await list(server, k)).map((o) => ({ k, o }))))).flat();
  const smi = (await Promise.all(smiKinds().map(async (k) => (await list(server, k)).map((o) => ({ k, o }))))).flat();
  if (written.length === 0 && counts.apply > 0) throw new Error('the floor needs the resources the controller wrote, and the server lists none');
  if (smi.length === 0 && (counts.status > 0 || counts.event > 0)) throw new Error('the floor needs SMI objects to write statuses and events on');

  const before = usage(server.pids());
  const started = performance.now();
  await inParallel(counts.apply, concurrency, async (i) => {
    const { k, o } = written[i % written.length]!;
    const name = `${o.metadata.name}-${tag}-${Math.floor(i / written.length)}`;
    const body = { apiVersion: k.apiVersion, kind: k.kind, metadata: { name, namespace: o.metadata.namespace, labels: o.metadata.labels ?? {}, annotations: o.metadata.annotations ?? {} }, spec: o.spec };
    await send(server, 'PATCH', `${kindPath(k, o.metadata.namespace)}/${name}?fieldManager=smi-floor&force=true`, body, APPLY);
  });
  const now = new Date().toISOString();
  await inParallel(counts.status, concurrency, async (i) => {
    const { k, o } = smi[i % smi.length]!;
    const status = { conditions: [{ type: 'FloorMeasured', status: 'True', reason: 'Floor', message: `${tag} ${i}`, lastTransitionTime: now }] };
    const body = { apiVersion: k.apiVersion, kind: k.kind, metadata: { name: o.metadata.name, namespace: o.metadata.namespace }, status };
    await send(server, 'PATCH', `${kindPath(k, o.metadata.namespace)}/${o.metadata.name}/status?fieldManager=smi-floor&force=true`, body, APPLY);
  });
  await inParallel(counts.event, concurrency, async (i) => {
    const { k, o } = smi[i % smi.length]!;
    const body = {
      apiVersion: 'v1', kind: 'Event', metadata: { name: `${o.metadata.name}.floor-${tag}-${i}`, namespace: o.metadata.namespace },
      involvedObject: { apiVersion: k.apiVersion, kind: k.kind, name: o.metadata.name, namespace: o.metadata.namespace },
      type: 'Warning', reason: 'Floor', message: `floor ${tag} ${i}`, source: { component: 'smi-floor' }, firstTimestamp: now, lastTimestamp: now, count: 1,
    };
    await send(server, 'POST', `/api/v1/namespaces/${o.metadata.namespace}/events`, body, 'application/json');
  });
  const ms = performance.now() - started;
  const after = usage(server.pids());
  const total = counts.apply + counts.status + counts.event;
  return { concurrency, ms: Math.round(ms), writes: counts, writesPerSecond: Math.round(total / (ms / 1000)), serverCpuMs: after.cpuMs - before.cpuMs };
}
