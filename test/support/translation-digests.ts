/**
 * A digest of what `smi translate` writes (resources and diagnostics) for the examples, the field
 * corpus and seeded random worlds, on every mesh and its main option sets. The redesign that made each
 * mesh one folder must not change a byte of it: test/targets/translation-unchanged.test.ts compares
 * against the digests taken before it (test/fixtures/golden/).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { modelOf, modelOfObjects } from './policy.js';
import { worlds } from './worlds.js';
import { TARGETS } from '../../src/targets/registry.js';
import { DEFAULT_OPTIONS, type TranslateOptions } from '../../src/targets/target.js';
import type { PolicyModel } from '../../src/policy/model.js';

const ROOT = resolve(import.meta.dirname, '../..');

export const DIGEST_MESHES: readonly [string, string, TranslateOptions][] = [
  ['istio', 'istio', DEFAULT_OPTIONS],
  ['istio --fence', 'istio', { ...DEFAULT_OPTIONS, fence: 'networkpolicy' }],
  ['linkerd', 'linkerd', { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' }],
  ['linkerd --namespace-deny', 'linkerd', { ...DEFAULT_OPTIONS, linkerdNamespaceDeny: true }],
  ['gateway-api --authz istio', 'gateway-api', { ...DEFAULT_OPTIONS, authz: 'istio' }],
  ['gateway-api --authz linkerd', 'gateway-api', { ...DEFAULT_OPTIONS, authz: 'linkerd', linkerdDefaultPolicy: 'deny' }],
  ['consul', 'consul', DEFAULT_OPTIONS],
  ['appmesh', 'appmesh', DEFAULT_OPTIONS],
  ['cilium', 'cilium', DEFAULT_OPTIONS],
];

function inputs(): [string, () => PolicyModel][] {
  const out: [string, () => PolicyModel][] = [];
  for (const d of readdirSync(join(ROOT, 'examples')).sort()) {
    const dir = join(ROOT, 'examples', d);
    if (!statSync(dir).isDirectory()) continue;
    out.push([`examples/${d}`, () => modelOf(readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => readFileSync(join(dir, f), 'utf8')).join('\n---\n'))]);
  }
  const field = join(ROOT, 'test/fixtures/field');
  for (const f of readdirSync(field).filter((x) => x.endsWith('.yaml')).sort()) out.push([`field/${f}`, () => modelOf(readFileSync(join(field, f), 'utf8'))]);
  fc.sample(worlds, { numRuns: 16, seed: 20261204 }).forEach((w, i) => out.push([`random world ${i}`, () => modelOfObjects(w.objects, w.mode)]));
  return out;
}

export function translationDigests(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, model] of inputs()) {
    const m = model();
    for (const [label, mesh, options] of DIGEST_MESHES) {
      const t = TARGETS[mesh as keyof typeof TARGETS]!.translate(m, options);
      const text = stringify({ resources: t.resources, diagnostics: t.diagnostics });
      out[`${name} :: ${label}`] = createHash('sha256').update(text).digest('hex').slice(0, 24);
    }
  }
  return out;
}
