/**
 * The redesign that made each mesh one folder (its options, metrics, fence profile and system
 * namespaces moved into targets/<mesh>/) changed no translation: `smi translate` writes byte for byte
 * what it wrote before, on the examples, the field corpus and seeded random worlds, for every mesh
 * and its main option sets. The digests were taken at commit 90422b7, before the redesign.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { translationDigests } from '../support/translation-digests.js';

const BEFORE = JSON.parse(readFileSync(new URL('../fixtures/golden/translate-digests.json', import.meta.url), 'utf8')) as Record<string, string>;

test('translations are byte-identical to those before the redesign', () => {
  const now = translationDigests();
  assert.deepEqual(Object.keys(now).sort(), Object.keys(BEFORE).sort(), 'the same inputs and meshes');
  const changed = Object.keys(BEFORE).filter((k) => BEFORE[k] !== now[k]);
  assert.deepEqual(changed, [], `these translations changed: ${changed.join('; ')}`);
  assert.ok(Object.keys(now).length > 200);
});
