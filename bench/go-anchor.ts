/**
 * The Go anchor of the controller benchmark: bench/go-anchor (controller-runtime, built with Go once
 * per source into ~/.cache/smi-bench/, like the test servers) caching the same kinds smi's controller
 * watches on the same server; its peak resident memory once every informer has listed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { WatchedKind } from '../src/api/watched-kinds.js';

const SOURCE = join(import.meta.dirname, 'go-anchor');

/** The binary for the current source, built when missing (with a line of progress: the first build downloads modules). */
export function goAnchor(log: (line: string) => void): string {
  const hash = createHash('sha256').update(['go.mod', 'go.sum', 'main.go'].map((f) => readFileSync(join(SOURCE, f), 'utf8')).join('\0')).digest('hex').slice(0, 12);
  const dir = join(process.env.SMI_BENCH_CACHE ?? join(homedir(), '.cache', 'smi-bench'));
  const binary = join(dir, `go-anchor-${hash}`);
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  log('building the Go anchor (controller-runtime) with go build: the first time takes a minute or more');
  const tmp = `${binary}.tmp-${process.pid}`;
  const built = spawnSync('go', ['build', '-trimpath', '-o', tmp, '.'], { cwd: SOURCE, env: { ...process.env, GOFLAGS: '-mod=mod' }, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`go build of bench/go-anchor failed:\n${built.stderr}`);
  renameSync(tmp, binary);
  return binary;
}

const kB = (pid: number, field: 'VmHWM' | 'VmRSS') => Math.round(Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);

export interface AnchorMemory { readonly peakRssMb: number; readonly rssAtRestMb: number; readonly syncMs: number }

/** Runs the anchor against the server until it has synced and rested `restMs`; its memory. */
export async function anchorMemory(binary: string, kubeconfig: string, kinds: readonly WatchedKind[], restMs = 3000): Promise<AnchorMemory> {
  const list = kinds.map((k) => {
    const [group, version] = k.apiVersion.includes('/') ? k.apiVersion.split('/') : ['', k.apiVersion];
    return { group, version, kind: k.kind };
  });
  const started = performance.now();
  const child = spawn(binary, [kubeconfig, JSON.stringify(list)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => (c.toString().includes('synced') ? resolve() : undefined));
      child.on('exit', (code) => reject(new Error(`the Go anchor exited ${code}: ${err}`)));
      setTimeout(() => reject(new Error(`the Go anchor did not sync within 120 s: ${err}`)), 120_000).unref();
    });
    const syncMs = Math.round(performance.now() - started);
    await new Promise((r) => setTimeout(r, restMs));
    return { peakRssMb: kB(child.pid!, 'VmHWM'), rssAtRestMb: kB(child.pid!, 'VmRSS'), syncMs };
  } finally {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}
