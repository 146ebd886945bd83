/** The resource index returns exactly what a scan's filter by group, kind and namespace returns, in the list's order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { resourcesIn, resourcesOf, subsetOf } from '../../src/targets/resource-index.js';
import type { MeshResource } from '../../src/targets/target.js';
import { isOfKind, resourceKind } from '../../src/targets/resource-kind.js';

const API_VERSIONS = ['v1', 'security.istio.io/v1', 'policy.linkerd.io/v1alpha1', 'policy.linkerd.io/v1beta3'];
const resource = fc.record({
  apiVersion: fc.constantFrom(...API_VERSIONS),
  kind: fc.constantFrom('Server', 'AuthorizationPolicy', 'NetworkPolicy', 'Namespace'),
  namespace: fc.option(fc.constantFrom('a', 'b', 'istio-system'), { nil: undefined }),
  name: fc.constantFrom('x', 'y', 'z'),
}).map(({ apiVersion, kind, namespace, name }): MeshResource => ({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } }));

test('a kind is its group and name: Linkerd\'s AuthorizationPolicy is not Istio\'s, whatever the version', () => {
  const linkerd = resourceKind('policy.linkerd.io/v1alpha1', 'AuthorizationPolicy');
  assert.equal(isOfKind({ apiVersion: 'policy.linkerd.io/v1beta3', kind: 'AuthorizationPolicy', metadata: { name: 'a' } }, linkerd), true);
  assert.equal(isOfKind({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'a' } }, linkerd), false);
  assert.equal(isOfKind({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }, resourceKind('v1', 'Namespace')), true);
});

test('resourcesOf, resourcesIn and subsetOf equal the filters they replace', () => {
  fc.assert(fc.property(fc.array(resource, { maxLength: 40 }), fc.constantFrom(...API_VERSIONS), fc.constantFrom('Server', 'AuthorizationPolicy', 'Namespace'), fc.array(fc.constantFrom('a', 'b', 'istio-system'), { minLength: 1, maxLength: 3 }), (list, apiVersion, kindName, namespaces) => {
    const kind = resourceKind(apiVersion, kindName);
    const ofKind = (r: MeshResource) => isOfKind(r, kind);
    // Asked twice: the second answer comes from what the first remembered.
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(resourcesOf(list, kind, namespaces[0]), list.filter((r) => ofKind(r) && r.metadata.namespace === namespaces[0]));
      assert.deepEqual(resourcesOf(list, kind, undefined), list.filter((r) => ofKind(r) && r.metadata.namespace === undefined));
      assert.deepEqual(resourcesIn(list, kind, namespaces), list.filter((r) => ofKind(r) && (namespaces as string[]).includes(r.metadata.namespace ?? '')));
    }
    const named = (r: MeshResource) => r.metadata.name === 'x';
    assert.deepEqual(subsetOf(list, named), list.filter(named));
    assert.equal(subsetOf(list, named), subsetOf(list, named), 'remembered per list and predicate');
  }));
});
