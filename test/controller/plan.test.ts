/**
 * What the controller would change: the API server's defaults in a live object are not a change;
 * a change of smi's intent is (even one that only removes a field); someone else's edit to a field
 * smi sets is drift, and is put back.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DESIRED_HASH, holds, planChanges } from '../../src/controller/plan.js';
import type { MeshResource } from '../../src/targets/target.js';

const route = (rules: unknown): MeshResource => ({
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'smi' } },
  spec: { parentRefs: [{ group: '', kind: 'Service', name: 'web', port: 80 }], rules },
});
const applied = (r: MeshResource) => planChanges([r], []).applies[0]!;
// What kube-apiserver returns after defaulting (Gateway API CRD defaults) and sorting keys.
const defaulted = (r: MeshResource) => {
  const live = structuredClone(applied(r)) as MeshResource & { spec: { rules: { backendRefs: Record<string, unknown>[]; matches?: unknown }[] } };
  for (const rule of live.spec.rules) {
    rule.matches ??= [{ path: { type: 'PathPrefix', value: '/' } }];
    for (const b of rule.backendRefs) Object.assign(b, { group: b.group ?? '', kind: b.kind ?? 'Service', weight: b.weight ?? 1 });
  }
  return live;
};

describe('planning against live objects', () => {
  test('holds: every field smi sets, with the server free to add more; arrays keep their length', () => {
    assert.equal(holds({ a: 1, b: [{ c: 2 }] }, { a: 1, z: 0, b: [{ c: 2, d: 3 }] }), true);
    assert.equal(holds({ a: 1 }, { a: 2 }), false);
    assert.equal(holds({ b: [{ c: 2 }] }, { b: [{ c: 2 }, { c: 3 }] }), false);
    assert.equal(holds({ a: { b: 1 } }, { a: null }), false);
  });

  test('the server\'s defaults are not a change: nothing to apply', () => {
    const want = route([{ backendRefs: [{ name: 'web-v1', port: 80 }] }]);
    assert.deepEqual(planChanges([want], [defaulted(want)]).changes, []);
  });

  test('a change of intent is applied, even one that only removes a field the server also has', () => {
    const before = route([{ backendRefs: [{ name: 'web-v1', port: 80, weight: 3 }] }]);
    const after = route([{ backendRefs: [{ name: 'web-v1', port: 80 }] }]);
    const plan = planChanges([after], [defaulted(before)]);
    assert.deepEqual(plan.changes.map((c) => [c.verb, c.fields]), [['update', ['desired-hash']]]);
    assert.notEqual(plan.applies[0]!.metadata.annotations![DESIRED_HASH], defaulted(before).metadata.annotations![DESIRED_HASH]);
  });

  test('drift: someone edited a field smi sets; it is put back', () => {
    const want = route([{ backendRefs: [{ name: 'web-v1', port: 80, weight: 3 }] }]);
    const edited = defaulted(want) as MeshResource & { spec: { rules: { backendRefs: { weight: number }[] }[] } };
    edited.spec.rules[0]!.backendRefs[0]!.weight = 100;
    assert.deepEqual(planChanges([want], [edited]).changes.map((c) => [c.verb, c.fields]), [['update', ['spec']]]);
  });

  test('what smi no longer wants is deleted; what it wants and lacks is created', () => {
    const a = route([]);
    const b = { ...route([]), metadata: { ...route([]).metadata, name: 'other' } };
    assert.deepEqual(planChanges([a], [applied(b)]).changes.map((c) => [c.verb, c.name]), [['create', 'r'], ['delete', 'other']]);
  });
});
