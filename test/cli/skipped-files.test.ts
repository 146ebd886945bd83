/** A folder that holds a non-Kubernetes file beside the manifests still works: that file is skipped with a note. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { runCli } from '../support/cli.js';

const BOOKSTORE = resolve(import.meta.dirname, '../../examples/bookstore');

function folder(extra: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'smi-skip-'));
  cpSync(BOOKSTORE, dir, { recursive: true });
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  return dir;
}

test('a Helm values.yaml and a JSON config beside the manifests are skipped with a note naming them', async () => {
  const dir = folder({ 'values.yaml': 'replicaCount: 2\nimage:\n  repository: nginx\n', 'config.json': '{"port": 8080}' });
  const r = await runCli(['validate', dir]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const all = r.stdout + r.stderr;
  assert.match(all, /values\.yaml: warning SMI_FILE_SKIPPED: holds no Kubernetes object/);
  assert.match(all, /config\.json: warning SMI_FILE_SKIPPED/);
  const t = await runCli(['translate', '-f', dir, '--mesh', 'istio']);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stderr, /SMI_FILE_SKIPPED/);
});

test('a document with kind but no apiVersion is still an error: it means to be an object', async () => {
  const dir = folder({ 'broken.yaml': 'kind: TrafficSplit\nmetadata: {name: x}\nspec: {service: a}\n' });
  const r = await runCli(['validate', dir]);
  assert.equal(r.code, 1);
  assert.match(r.stdout + r.stderr, /broken\.yaml:1:1: error SMI_MISSING_API_VERSION/);
});
