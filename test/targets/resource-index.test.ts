/** The resource index returns exactly what a scan's filter returns, in the list's order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { resourcesIn, resourcesOf, subsetOf } from '../../src/targets/resource-index.js';
import type { MeshResource } from '../../src/targets/target.js';

const resource = fc.record({
  kind: fc.constantFrom('Server', 'AuthorizationPolicy', 'NetworkPolicy', 'Namespace'),
  namespace: fc.option(fc.constantFrom('a', 'b', 'istio-system'), { nil: undefined }),
  name: fc.constantFrom('x', 'y', 'z'),
}).map(({ kind, namespace, name }): MeshResource => ({ apiVersion: 'v1', kind, metadata: { name, ...(namespace ? { namespace } : {}) } }));

test('resourcesOf, resourcesIn and subsetOf equal the filters they replace', () => {
  fc.assert(fc.property(fc.array(resource, { maxLength: 40 }), fc.constantFrom('Server', 'AuthorizationPolicy', 'Namespace'), fc.array(fc.constantFrom('a', 'b', 'istio-system'), { minLength: 1, maxLength: 3 }), (list, kind, namespaces) => {
    // Asked twice: the second answer comes from what the first remembered.
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(resourcesOf(list, kind, namespaces[0]), list.filter((r) => r.kind === kind && r.metadata.namespace === namespaces[0]));
      assert.deepEqual(resourcesOf(list, kind, undefined), list.filter((r) => r.kind === kind && r.metadata.namespace === undefined));
      assert.deepEqual(resourcesIn(list, kind, namespaces), list.filter((r) => r.kind === kind && (namespaces as string[]).includes(r.metadata.namespace ?? '')));
    }
    const named = (r: MeshResource) => r.metadata.name === 'x';
    assert.deepEqual(subsetOf(list, named), list.filter(named));
    assert.equal(subsetOf(list, named), subsetOf(list, named), 'remembered per list and predicate');
  }));
});
