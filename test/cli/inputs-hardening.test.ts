/**
 * What the CLI reads is bounded: a link to an endless device, a FIFO nobody writes to, or an endless
 * pipe on stdin end in an error, never a hang or an exhausted memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'smi-inputs-'));

test('a symbolic link to /dev/zero is refused as not a regular file (not read past any cap)', async () => {
  const link = join(dir, 'zero.yaml');
  symlinkSync('/dev/zero', link);
  const r = await runCli(['validate', link]);
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /SMI_NOT_A_FILE/);
});

test('a FIFO is refused without opening it (opening one with no writer would block forever)', async () => {
  const fifo = join(dir, 'pipe.yaml');
  execFileSync('mkfifo', [fifo]);
  const r = await runCli(['validate', fifo]);
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /SMI_NOT_A_FILE/);
  // In a folder too.
  const folder = await runCli(['validate', dir]);
  assert.match(folder.stdout + folder.stderr, /SMI_NOT_A_FILE/);
});

test('an endless pipe on stdin stops at the limit with an error, in the real process', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../support/smi-process.ts'), 'validate', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const chunk = Buffer.alloc(1024 * 1024, '# comment line of an endless stream\n');
  let written = 0;
  let open = true;
  child.stdin.on('error', () => (open = false));
  const code = await new Promise<number | null>((done) => {
    child.once('exit', (c) => done(c));
    const pump = () => {
      while (open && written < 200 * 1024 * 1024) {
        written += chunk.length;
        if (!child.stdin.write(chunk)) return void child.stdin.once('drain', pump);
      }
    };
    pump();
  });
  assert.notEqual(code, 0, out);
  assert.match(out, /SMI_FILE_TOO_LARGE|limit/);
  assert.ok(written < 200 * 1024 * 1024, 'the process stopped reading before the stream ended');
});
