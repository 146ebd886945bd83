/**
 * The two API servers the controller benchmark runs against, behind one small interface: the
 * Kubernetes API test server (its own Node process, seeded from a file) and the real kube-apiserver
 * with etcd (test/cluster, loaded over HTTPS before timing starts). Both are measured from /proc.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, Agent } from 'node:https';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { stringify } from 'yaml';
import { startCluster } from '../test/cluster/cluster.js';

export interface Answer { readonly status: number; readonly body: string }

export interface BenchServer {
  readonly name: string;
  readonly url: string;
  readonly kubeconfig: string;
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<Answer>;
  /** A watch: each line of the response, until close(). */
  watch(path: string, onLine: (line: string) => void): { close: () => void };
  /** The server's processes (etcd too, for the real one). */
  pids(): number[];
  stop(): Promise<void>;
}

type Obj = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

/** CPU milliseconds and peak resident memory of processes, from /proc. */
export function usage(pids: readonly number[]): { cpuMs: number; peakRssMb: number } {
  let cpuMs = 0;
  let peak = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    cpuMs += ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
    peak += Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  }
  return { cpuMs: Math.round(cpuMs), peakRssMb: Math.round(peak) };
}

function client(url: string, tls?: { ca: Buffer; cert: Buffer; key: string | Buffer }): Pick<BenchServer, 'request' | 'watch'> {
  const agent = tls ? new Agent({ keepAlive: true, maxSockets: 64, ca: tls.ca, cert: tls.cert, key: tls.key }) : undefined;
  const send = tls ? httpsRequest : httpRequest;
  const open = (method: string, path: string, headers: Record<string, string>) => send(`${url}${path}`, { method, headers, ...(agent ? { agent } : {}) });
  return {
    request: (method, path, body, contentType = 'application/json') => new Promise((resolve, reject) => {
      const req = open(method, path, body === undefined ? {} : { 'content-type': contentType });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
    }),
    watch: (path, onLine) => {
      const req = open('GET', path, {});
      req.on('response', (res) => {
        let buffer = '';
        res.on('data', (c: Buffer) => {
          buffer += c.toString();
          for (let i; (i = buffer.indexOf('\n')) >= 0; buffer = buffer.slice(i + 1)) onLine(buffer.slice(0, i));
        });
      });
      req.on('error', () => undefined);
      req.end();
      return { close: () => req.destroy() };
    },
  };
}

/** The API test server in its own process, seeded with the objects. */
export async function testServer(objects: readonly Obj[]): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'smi-bench-ctl-'));
  const seedFile = join(dir, 'seed.yaml');
  writeFileSync(seedFile, objects.map((o) => stringify(o)).join('---\n'));
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
  return {
    name: 'the API test server', url, kubeconfig, ...client(url), pids: () => [child.pid!],
    stop: () => new Promise((r) => { child.once('exit', () => r()); child.kill(); }),
  };
}

const plural = (kind: string) => `${kind.toLowerCase()}s`;
const collection = (o: Obj) => {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  return `${base}${o.metadata.namespace ? `/namespaces/${o.metadata.namespace}` : ''}/${plural(o.kind)}`;
};

/** Runs `work` on every item, `width` at a time. */
export async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/**
 * kube-apiserver and etcd on loopback, loaded with the objects before anything is timed: CRDs first
 * (until Established), then namespaces, then the rest, 32 creates in flight, with progress.
 */
export async function realServer(objects: readonly Obj[], log: (line: string) => void): Promise<BenchServer> {
  const cluster = await startCluster({ dir: mkdtempSync(join(tmpdir(), 'smi-bench-real-')), controllerManager: false, log });
  const api = client(cluster.url, { ca: readFileSync(cluster.pki.ca), cert: readFileSync(cluster.admin.cert), key: readFileSync(cluster.admin.key) });
  try {
    const create = async (o: Obj) => {
      for (let attempt = 0; ; attempt++) {
        const r = await api.request('POST', collection(o), o);
        if (r.status < 300 || r.status === 409) return;
        // A CRD's storage may still be initializing (429), or the server briefly busy.
        if ((r.status === 429 || r.status >= 500 || r.status === 404) && attempt < 50) {
          await new Promise((res) => setTimeout(res, 200));
          continue;
        }
        throw new Error(`creating ${o.kind} ${o.metadata.namespace}/${o.metadata.name}: ${r.status} ${r.body}`);
      }
    };
    const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
    await inParallel(crds, 8, create);
    for (const crd of crds) {
      for (let i = 0; ; i++) {
        const r = JSON.parse((await api.request('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`)).body) as { status?: { conditions?: { type: string; status: string }[] } };
        if (r.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
        if (i > 300) throw new Error(`CRD ${crd.metadata.name} not established`);
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    const namespaces = [...new Set(objects.map((o) => o.metadata.namespace).filter((n): n is string => Boolean(n)))];
    await inParallel(namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })), 16, create);
    const rest = objects.filter((o) => o.kind !== 'CustomResourceDefinition');
    let done = 0;
    const started = Date.now();
    await inParallel(rest, 32, async (o) => {
      await create(o);
      if (++done % 2000 === 0) log(`loaded ${done}/${rest.length} objects into kube-apiserver (${Math.round((Date.now() - started) / 1000)} s)`);
    });
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return {
    name: 'kube-apiserver and etcd', url: cluster.url, kubeconfig: cluster.kubeconfig, ...api,
    pids: () => [cluster.pid('kube-apiserver'), cluster.pid('etcd')].filter((p): p is number => p !== undefined),
    stop: () => cluster.stop(),
  };
}
