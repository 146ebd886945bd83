/**
 * One test over the registry: every conformance case (cases.ts) on every registered target, with its
 * defaults and with each authorization it can compose. For each: SMI's own answers are the case's;
 * the translation fits the mesh's CRDs, never allows what SMI denies and says where it denies what
 * SMI allows (support/equivalence.ts); and where the target declares every feature the case needs
 * `full` (Target.features), it gives SMI's answer exactly.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import './cases.js';
import { registeredCases, targetVariants as variants } from './catalogue.js';
import { TARGETS, targetNames, scopeOptions } from '../../src/targets/registry.js';
import { FEATURES, featureTableMarkdown, type Feature } from '../../src/targets/features.js';
import { DEFAULT_OPTIONS } from '../../src/targets/target.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { decide } from '../../src/policy/decide.js';
import { route } from '../../src/policy/route.js';
import { workloadsOf } from '../../src/policy/inventory.js';
import { validateYaml } from '../support/inputs.js';
import { CrdSchemas } from '../support/crd-schemas.js';
import { checkWorld, newTally } from '../support/equivalence.js';

const CRD_FOLDERS = readdirSync(resolve(import.meta.dirname, '../reference/crds')).map((f) => `crds/${f}`);
const schemas = new CrdSchemas(...CRD_FOLDERS);
const CASES = registeredCases();


test('the catalogue exercises every feature a target can declare', () => {
  const covered = new Set(CASES.flatMap((c) => c.needs));
  assert.deepEqual((Object.keys(FEATURES) as Feature[]).filter((f) => !covered.has(f)), []);
});

test('every registered target declares its support of every feature', () => {
  for (const name of targetNames()) {
    const target = TARGETS[name]!;
    for (const { label, options } of variants(target)) {
      const table = target.features?.(options);
      assert.ok(table, `${label} declares no feature table`);
      for (const f of Object.keys(FEATURES) as Feature[]) {
        const row = table[f];
        assert.ok(row, `${label}: ${f} undeclared`);
        if (row.support !== 'full') assert.ok(row.note && row.note.length > 0, `${label}: ${f} is ${row.support} without saying what is lost`);
      }
    }
  }
});

test('each target\'s doc page carries its feature table as declared', () => {
  for (const name of targetNames()) {
    const doc = readFileSync(resolve(import.meta.dirname, `../../docs/targets/${name}.md`), 'utf8');
    assert.ok(doc.includes(featureTableMarkdown(TARGETS[name]!.features!(DEFAULT_OPTIONS))), `docs/targets/${name}.md does not show the feature table src/targets/${name}/features.ts declares`);
  }
});

describe('the reference semantics give each case\'s answers', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const model = resolvePolicy(validateYaml(c.yaml), { mode: 'strict', scope: scopeOptions() });
      for (const [request, allowed] of c.access) assert.equal(decide(model, request).allowed, allowed, JSON.stringify({ ...request, http: request.http && { ...request.http, headers: [...request.http.headers] } }));
      for (const [request, shares] of c.routes ?? []) {
        assert.deepEqual(Object.fromEntries(route(model, request).backends.map((b) => [b.service, b.share])), shares);
      }
    });
  }
});

describe('every case on every registered target', () => {
  for (const name of targetNames()) {
    const target = TARGETS[name]!;
    for (const { label, options } of variants(target)) {
      test(label, () => {
        const table = target.features!(options);
        const tally = newTally();
        let exact = 0;
        for (const c of CASES) {
          const objects = parseAllDocuments(c.yaml).map((d) => d.toJS() as Record<string, unknown>);
          checkWorld(target, schemas, { objects, mode: 'strict' }, c.access.map(([r]) => r), (c.routes ?? []).map(([r]) => r), options, tally);
          if (!c.needs.every((f) => table[f].support === 'full')) continue;
          // Declared full: the mesh's answer is SMI's, on every workload of the destination.
          const model = resolvePolicy(validateYaml(c.yaml), { mode: 'strict', scope: scopeOptions() });
          const translation = target.translate(model, options);
          for (const [request, allowed] of c.access) {
            for (const w of workloadsOf(model.inventory, request.destination.namespace, request.destination.name)) {
              const d = target.evaluateAccess(translation.resources, w, request, options, { inventory: model.inventory });
              assert.deepEqual([d.allowed, d.enforced], [allowed, true], `${label} declares ${c.needs.join(', ')} full, yet on "${c.name}" ${w.name} answers ${d.allowed ? 'allow' : 'deny'}${d.enforced ? '' : ' (not enforced)'}: ${d.reasons.join('; ')}`);
            }
          }
          for (const [request, shares] of c.routes ?? []) {
            const got = Object.fromEntries(target.evaluateRoute(translation.resources, request, options).backends.map((b) => [b.service, b.share]));
            assert.deepEqual(got, shares, `${label} declares weighted-split full, yet "${c.name}" routes otherwise`);
          }
          exact++;
        }
        assert.equal(tally.worlds, CASES.length);
        console.log(`${label}: ${CASES.length} cases, ${exact} held exactly (declared full), ${tally.narrowed} narrowings said`);
      });
    }
  }
});
