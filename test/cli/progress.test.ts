/** Progress lines: only on a terminal, only after two seconds, one per finished stage with its time. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress } from '../../src/cli/progress.js';
import type { CliIO } from '../../src/cli/io.js';

function io(terminal: boolean): CliIO & { err: string[] } {
  const err: string[] = [];
  return { err, stdout: () => undefined, stderr: (t) => void err.push(t), readStdin: async () => Buffer.alloc(0), stderrIsTerminal: terminal };
}

test('quiet for the first two seconds, then one line per stage as it ends', () => {
  let now = 0;
  const out = io(true);
  const p = new Progress(out, 2000, () => now);
  p.step('reading the input');
  now = 1500;
  p.step('validated 10 documents');
  assert.deepEqual(out.err, [], 'a stage ending before two seconds says nothing');
  now = 3500;
  p.relabel('validated 22,000 documents');
  p.step('translated');
  now = 4000;
  p.done();
  assert.deepEqual(out.err, ['smi: validated 22,000 documents (2.0 s; 3.5 s in all)\n', 'smi: translated (0.5 s; 4.0 s in all)\n']);
});

test('never on a pipe or in a log', () => {
  let now = 0;
  const out = io(false);
  const p = new Progress(out, 2000, () => now);
  p.step('reading');
  now = 10_000;
  p.done();
  assert.deepEqual(out.err, []);
});
