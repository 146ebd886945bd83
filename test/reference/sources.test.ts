/** The reference data names its origin: every file under test/reference is in SOURCES.md, and back. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REFERENCE_ROOT } from '../support/reference.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [relative(REFERENCE_ROOT, p)];
  });
}

test('every reference file has a source, a commit and a licence, and every listed file exists', () => {
  const rows = readFileSync(join(REFERENCE_ROOT, 'SOURCES.md'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| file') && !l.startsWith('|---'))
    .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
  const listed = new Map(rows.map(([file, repo, path, commit, licence]) => [file!, { repo, path, commit, licence }]));
  const present = files(REFERENCE_ROOT).filter((f) => f.endsWith('.yaml')).sort();
  assert.ok(present.length >= 30, `expected the SMI and mesh CRDs, found ${present.length} files`);
  assert.deepEqual(present, [...listed.keys()].sort(), 'SOURCES.md and the files under test/reference differ');
  for (const [file, s] of listed) {
    assert.match(s.repo ?? '', /^[\w.-]+\/[\w.-]+$/, `${file}: repository`);
    assert.ok((s.path ?? '').length > 0, `${file}: path`);
    assert.match(s.commit ?? '', /^[0-9a-f]{40}$/, `${file}: commit`);
    assert.match(s.licence ?? '', /^(Apache-2\.0|MPL-2\.0)/, `${file}: licence`);
  }
});
