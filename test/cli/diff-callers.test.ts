/**
 * Which callers `smi diff` asks about: every identity up to 50 (exhaustive), the telling ones above
 * (linear; said on stderr), or as --callers says. A difference the exhaustive run finds between a mesh
 * and SMI is found by the telling run too, on the same caller/destination pairs' kind of request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { runCli } from '../support/cli.js';
import { deploymentYaml } from '../support/policy.js';

const BOOKSTORE = resolve(import.meta.dirname, '../../examples/bookstore');
type Diff = { requestsCompared: number; pairs: { source: string; destination: string }[] };
const diff = async (args: string[]) => {
  const r = await runCli(['diff', ...args, '-o', 'json']);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  return { ...(JSON.parse(r.stdout) as Diff), stderr: r.stderr };
};

test('on a small policy auto asks every caller, as --callers all; --callers telling asks fewer and finds the same destinations differing', async () => {
  const args = ['-f', BOOKSTORE, '--mesh', 'smi', '--mesh', 'istio'];
  const auto = await diff(args);
  const all = await diff([...args, '--callers', 'all']);
  const telling = await diff([...args, '--callers', 'telling']);
  assert.equal(auto.requestsCompared, all.requestsCompared);
  assert.doesNotMatch(auto.stderr, /telling callers/);
  assert.ok(telling.requestsCompared < all.requestsCompared, `${telling.requestsCompared} < ${all.requestsCompared}`);
  assert.deepEqual([...new Set(telling.pairs.map((p) => p.destination))].sort(), [...new Set(all.pairs.map((p) => p.destination))].sort());
});

test('above 50 identities auto asks the telling callers and says so; --from asks that caller alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smi-callers-'));
  const apps = Array.from({ length: 60 }, (_, i) => deploymentYaml('many', `app${i}`, `app${i}`, [8080])).join('');
  writeFileSync(join(dir, 'world.yaml'), apps + `---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: any, namespace: many}
spec: {}
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: t, namespace: many}
spec:
  destination: {kind: ServiceAccount, name: app0, namespace: many}
  rules: [{kind: TCPRoute, name: any}]
  sources: [{kind: ServiceAccount, name: app1, namespace: many}]
`);
  const args = ['-f', dir, '--mesh', 'smi', '--mesh', 'linkerd', '--linkerd-default-policy', 'deny'];
  const auto = await diff(args);
  assert.match(auto.stderr, /note: 60 identities: each destination is asked about the telling callers/);
  const all = await diff([...args, '--callers', 'all']);
  assert.ok(auto.requestsCompared * 5 < all.requestsCompared, `${auto.requestsCompared} vs ${all.requestsCompared}`);
  const from = await diff([...args, '--from', 'many/app7']);
  // One caller, each of the 60 destinations: as many requests as every caller's share of the exhaustive run.
  assert.equal(from.requestsCompared * 61, all.requestsCompared);
  assert.ok(from.pairs.every((p) => p.source === 'many/app7'));
});
