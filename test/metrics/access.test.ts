/**
 * Delegated authorization, the pure part: which attributes each path asks the cluster about, the
 * refusal's wording, and the caches (what is reused, for how long, for whom; failures never).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { accessAttributes, cachedAuthorizer, cachedTokenAuthenticator, forbiddenMessage } from '../../src/metrics/access.js';
import type { AccessAttributes, RequestUser } from '../../src/kube/delegated-auth.js';

const G = 'metrics.smi-spec.io';

describe('delegated authorization', () => {
  test('each path becomes the attributes kube-apiserver would check', () => {
    const r = (path: string) => accessAttributes(path);
    assert.deepEqual(r(`/apis/${G}/v1alpha2/namespaces/shop/deployments/web`), { resource: { verb: 'get', group: G, version: 'v1alpha2', resource: 'deployments', namespace: 'shop', name: 'web' } });
    assert.deepEqual(r(`/apis/${G}/v1alpha1/namespaces/shop/deployments`), { resource: { verb: 'list', group: G, version: 'v1alpha1', resource: 'deployments', namespace: 'shop' } });
    assert.deepEqual(r(`/apis/${G}/v1alpha2/namespaces/shop/pods/web-1/edges`), { resource: { verb: 'get', group: G, version: 'v1alpha2', resource: 'pods', subresource: 'edges', namespace: 'shop', name: 'web-1' } });
    assert.deepEqual(r(`/apis/${G}/v1alpha2/namespaces/shop`), { resource: { verb: 'get', group: G, version: 'v1alpha2', resource: 'namespaces', name: 'shop' } }, 'a namespace\'s own metrics are the cluster-scoped resource');
    assert.deepEqual(r(`/apis/${G}/v1alpha2/namespaces`), { resource: { verb: 'list', group: G, version: 'v1alpha2', resource: 'namespaces' } });
    assert.deepEqual(r(`/apis/${G}/v1alpha2/deployments`), { resource: { verb: 'list', group: G, version: 'v1alpha2', resource: 'deployments' } });
    assert.deepEqual(r(`/apis/${G}/v1alpha2/namespaces/shop/trafficsplits/web`), { resource: { verb: 'get', group: G, version: 'v1alpha2', resource: 'trafficsplits', namespace: 'shop', name: 'web' } });
    assert.deepEqual(r(`/apis/${G}/v1alpha2`), { nonResource: { verb: 'get', path: `/apis/${G}/v1alpha2` } }, 'discovery is a path');
    assert.deepEqual(r(`/apis/${G}/`), { nonResource: { verb: 'get', path: `/apis/${G}` } });
    assert.deepEqual(r('/apis/other.group/v1/namespaces/x/things'), { nonResource: { verb: 'get', path: '/apis/other.group/v1/namespaces/x/things' } }, 'another group is never taken for ours');
  });

  test('a refusal reads like Kubernetes\' own', () => {
    const alice: RequestUser = { name: 'alice', groups: [] };
    assert.equal(forbiddenMessage(alice, accessAttributes(`/apis/${G}/v1alpha2/namespaces/shop/deployments/web/edges`)),
      `deployments.${G} "web" is forbidden: User "alice" cannot get resource "deployments/edges" in API group "${G}" in the namespace "shop"`);
    assert.equal(forbiddenMessage(alice, accessAttributes(`/apis/${G}/v1alpha2/namespaces`), 'no RBAC policy matched'),
      `namespaces.${G} is forbidden: User "alice" cannot list resource "namespaces" in API group "${G}" at the cluster scope: no RBAC policy matched`);
    assert.equal(forbiddenMessage(alice, accessAttributes(`/apis/${G}`)), `forbidden: User "alice" cannot get path "/apis/${G}"`);
  });

  test('answers are reused per user and question until they expire; failures are not kept', async () => {
    let clock = 0;
    const asked: string[] = [];
    let failNext = false;
    const authorize = cachedAuthorizer(async (user, attributes: AccessAttributes) => {
      asked.push(user.name);
      if (failNext) { failNext = false; throw new Error('apiserver down'); }
      return { allowed: user.name === 'bob' && 'resource' in attributes && attributes.resource.namespace === 'shop' };
    }, { allowedTtlMs: 1000, deniedTtlMs: 500, now: () => clock });
    const bob: RequestUser = { name: 'bob', groups: ['g'] };
    const shop = accessAttributes(`/apis/${G}/v1alpha2/namespaces/shop/deployments/web`);
    const data = accessAttributes(`/apis/${G}/v1alpha2/namespaces/data/deployments/web`);
    assert.equal((await authorize(bob, shop)).allowed, true);
    assert.equal((await authorize(bob, shop)).allowed, true);
    assert.deepEqual(asked, ['bob'], 'the second is from the cache');
    assert.equal((await authorize(bob, data)).allowed, false, 'another question is asked');
    assert.equal((await authorize({ name: 'bob', groups: ['g', 'admins'] }, shop)).allowed, true);
    assert.equal(asked.length, 3, 'other groups are another user to the cluster');
    clock = 600;
    await authorize(bob, data);
    assert.equal(asked.length, 4, 'a refusal expires sooner');
    await authorize(bob, shop);
    assert.equal(asked.length, 4, 'an allowance is still fresh');
    clock = 2000;
    failNext = true;
    await assert.rejects(authorize(bob, shop), /apiserver down/);
    assert.equal((await authorize(bob, shop)).allowed, true, 'the failure was not cached');
  });

  test('token reviews are cached by digest, and an unknown token too (briefly)', async () => {
    let clock = 0;
    let reviews = 0;
    const tokens = cachedTokenAuthenticator(async (token) => { reviews++; return token === 'good' ? { name: 'system:serviceaccount:shop:dashboard', groups: [] } : undefined; }, { allowedTtlMs: 1000, deniedTtlMs: 100, now: () => clock });
    assert.equal((await tokens('good'))?.name, 'system:serviceaccount:shop:dashboard');
    assert.equal((await tokens('bad')), undefined);
    await tokens('good');
    await tokens('bad');
    assert.equal(reviews, 2);
    clock = 200;
    await tokens('bad');
    await tokens('good');
    assert.equal(reviews, 3, 'only the refusal expired');
  });
});
