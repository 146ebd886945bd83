/** docs/cli.md is what the commands say about themselves: regenerated here, it must equal the file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cliReference } from '../../src/cli/reference.js';

test('docs/cli.md matches the commands (run `npm run docs:cli` after changing a command)', () => {
  const file = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
  assert.equal(file, cliReference());
  for (const command of ['smi check', 'smi route-groups from-openapi', 'smi translate', 'smi install']) assert.ok(file.includes(`## \`${command}\``), command);
  assert.ok(!file.includes('## `smi routes`'), 'hidden aliases are not listed');
});
