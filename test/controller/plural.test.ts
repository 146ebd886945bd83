/** The resource names the controller watches and install's RBAC grants: the plural each reference CRD declares, for every kind in them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { plural } from '../../src/controller/controller.js';
import { referenceDocuments } from '../support/reference.js';

test('plural(kind) is the CRD\'s own plural for every kind of the reference CRDs (Gateway → gateways, NetworkPolicy-like → …ies)', () => {
  const folders = readdirSync(resolve(import.meta.dirname, '../reference/crds')).map((f) => `crds/${f}`);
  let checked = 0;
  for (const crd of folders.flatMap((f) => referenceDocuments(f)) as { spec?: { names?: { kind: string; plural: string } } }[]) {
    const names = crd?.spec?.names;
    if (!names) continue;
    assert.equal(plural(names.kind), names.plural, names.kind);
    checked++;
  }
  assert.ok(checked > 40, `${checked} kinds`);
  assert.equal(plural('NetworkPolicy'), 'networkpolicies');
  assert.equal(plural('Namespace'), 'namespaces');
});
