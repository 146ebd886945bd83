/**
 * A real Prometheus (Debian's package, installed by .ci/run) for tests: series with known values
 * are written as OpenMetrics with timestamps, turned into TSDB blocks by promtool, and served by
 * prometheus on a free loopback port from its own temporary data directory.
 */
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningPrometheus { readonly url: string; stop(): Promise<void> }

export async function startPrometheus(openMetrics: string): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'smi-prometheus-'));
  writeFileSync(join(dir, 'series.om'), openMetrics);
  writeFileSync(join(dir, 'prometheus.yml'), 'global: {}\n');
  await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'series.om'), join(dir, 'data')]);
  const port = await freePort();
  const child = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, '--storage.tsdb.retention.time=100y', `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      if (i > 200) throw new Error('prometheus did not become ready');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, stop: () => new Promise((r) => { child.once('exit', () => r()); child.kill(); }) };
}

/**
 * OpenMetrics text: each series grows by `step` every 15 s from `start`, for `points` samples.
 * Counters are a counter family (`*_total`); histogram buckets are written as their own family of
 * type unknown, which is how Prometheus stores them anyway (one series per `le`).
 */
export function series(name: string, list: { labels: Record<string, string>; step: number }[], start: number, points: number): string {
  const family = name.endsWith('_total') ? name.slice(0, -'_total'.length) : name;
  const lines = [`# TYPE ${family} ${name.endsWith('_total') ? 'counter' : 'unknown'}`];
  for (const s of list) {
    const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(',');
    for (let i = 0; i < points; i++) lines.push(`${name}{${labels}} ${i * s.step} ${start + i * 15}`);
  }
  return lines.join('\n');
}

export const openMetrics = (families: string[]): string => `${families.join('\n')}\n# EOF\n`;
