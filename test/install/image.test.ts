/**
 * The image must build. There is no container runtime here, so the build stage of the Dockerfile is
 * replayed on a plain folder: exactly the files its COPY lines bring from the context, then its build
 * command; the runtime stage's COPY --from=build sources must then exist. (Its `npm ci` is replaced
 * by this checkout's node_modules, linked: the same lockfile, and no network.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

interface Stage { readonly name?: string; readonly lines: string[] }

function stages(dockerfile: string): Stage[] {
  const out: Stage[] = [];
  for (const line of dockerfile.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) out.push({ ...(from[1] ? { name: from[1] } : {}), lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

test("the Dockerfile's build stage builds from the files it copies, and the runtime stage finds what it takes", () => {
  const [build, runtime] = stages(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  assert.ok(build && runtime && build.name === 'build');
  const dir = mkdtempSync(join(tmpdir(), 'smi-image-'));
  for (const line of build.lines) {
    const copy = /^COPY\s+(?!--)(.+)\s+(\S+)$/i.exec(line);
    if (!copy) continue;
    const sources = copy[1]!.trim().split(/\s+/);
    const dest = copy[2]!;
    for (const source of sources) {
      const target = dest.endsWith('/') || sources.length > 1 ? join(dir, dest, source) : join(dir, dest);
      cpSync(join(ROOT, source), target, { recursive: true });
    }
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  // The build command of the stage, without `npm prune` (it would change the linked node_modules).
  const run = build.lines.find((l) => /^RUN\s+npm run build/.test(l));
  assert.ok(run, 'the build stage runs npm run build');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: dir, stdio: 'pipe', timeout: 300_000 });
  assert.ok(existsSync(join(dir, 'dist', 'cli', 'main.js')), 'the CLI is built');
  assert.ok(existsSync(join(dir, 'dist', 'web', 'app.js')), "the dashboard's front end is built");
  for (const line of runtime.lines) {
    const from = /^COPY\s+--from=build\s+(\S+)\s+\S+$/i.exec(line);
    if (from) assert.ok(existsSync(join(dir, from[1]!.replace(/^\/src\/?/, ''))), `${line}: nothing at ${from[1]}`);
  }
});
