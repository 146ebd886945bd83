/** Named conformance cases for traffic splitting. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { route } from '../../src/policy/route.js';
import { httpParts } from '../../src/policy/request.js';
import { modelOf } from '../support/policy.js';

const svc = (name: string, ports: number[], ns = 'default') => `---
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: ${ns} }
spec:
  selector: { app: ${name} }
  ports: [${ports.map((p) => `{ port: ${p} }`).join(', ')}]
`;
const split = (name: string, root: string, backends: [string, number | string][], extra = '', version = 'v1alpha4') => `---
apiVersion: split.smi-spec.io/${version}
kind: TrafficSplit
metadata: { name: ${name}, namespace: default }
spec:
  service: ${root}
${extra}  backends:
${backends.map(([s, w]) => `    - { service: ${s}, weight: ${typeof w === 'string' ? JSON.stringify(w) : w} }`).join('\n')}
`;
const shares = (r: ReturnType<typeof route>) => Object.fromEntries(r.backends.map((b) => [b.service, b.share]));
const get = { protocol: 'http' as const, http: httpParts('GET', '/', []) };

describe('weights', () => {
  test('relative whole numbers: 1000/500 ⇒ 2/3 and 1/3', () => {
    const m = modelOf(split('rollout', 'foobar', [['foobar-v1', 1000], ['foobar-v2', 500]]));
    const r = route(m, { service: { namespace: 'default', name: 'foobar' }, ...get });
    assert.deepEqual(shares(r), { 'default/foobar-v1': 2 / 3, 'default/foobar-v2': 1 / 3 });
    assert.equal(r.split?.name, 'rollout');
  });
  test('v1alpha1 quantities: 10m, 100m, 1500m', () => {
    const m = modelOf(split('numbers', 'numbers', [['one', '10m'], ['two', '100m'], ['three', '1500m']], '', 'v1alpha1'));
    const r = route(m, { service: { namespace: 'default', name: 'numbers' }, ...get });
    assert.deepEqual(shares(r), { 'default/one': 10 / 1610, 'default/two': 100 / 1610, 'default/three': 1500 / 1610 });
  });
  test('weight 0 gets nothing; the spec workflow before v2 exists', () => {
    const m = modelOf(split('rollout', 'foobar', [['foobar-v1', 100], ['foobar-v2', 0]]));
    assert.deepEqual(shares(route(m, { service: { namespace: 'default', name: 'foobar' }, ...get })), { 'default/foobar-v1': 1 });
  });
  test('no split: the root service gets everything', () => {
    const m = modelOf(svc('web', [80]));
    const r = route(m, { service: { namespace: 'default', name: 'web' }, ...get });
    assert.deepEqual(shares(r), { 'default/web': 1 });
    assert.equal(r.split, undefined);
  });
});

describe('ports (the spec birds examples)', () => {
  test('valid: both backends share 8080 and 9090', () => {
    const m = modelOf(`${svc('birds', [8080, 9090])}${svc('blue-birds', [8080, 9090])}${svc('green-birds', [8080, 9090])}${split('birds', 'birds', [['blue-birds', 50], ['green-birds', 50]])}`);
    for (const port of [8080, 9090]) {
      assert.deepEqual(shares(route(m, { service: { namespace: 'default', name: 'birds' }, port, ...get })), { 'default/blue-birds': 0.5, 'default/green-birds': 0.5 });
    }
  });
  test('invalid: blue-birds on 1024 gets nothing from birds:8080', () => {
    const m = modelOf(`${svc('birds', [8080])}${svc('blue-birds', [1024])}${svc('green-birds', [8080])}${split('birds', 'birds', [['blue-birds', 50], ['green-birds', 50]])}`);
    const r = route(m, { service: { namespace: 'default', name: 'birds' }, port: 8080, ...get });
    assert.deepEqual(shares(r), { 'default/green-birds': 1 });
    assert.match(r.reasons.join(), /blue-birds has no port 8080/);
  });
  test('a backend missing from the inventory gets nothing when the root is known; nothing eligible ⇒ root', () => {
    const m = modelOf(`${svc('birds', [8080])}${split('birds', 'birds', [['ghost', 50]])}`);
    const r = route(m, { service: { namespace: 'default', name: 'birds' }, port: 8080, ...get });
    assert.deepEqual(shares(r), { 'default/birds': 1 });
  });
  test('a port the root does not have cannot be routed', () => {
    const m = modelOf(`${svc('birds', [8080])}${svc('blue-birds', [8080])}${split('birds', 'birds', [['blue-birds', 1]])}`);
    assert.deepEqual(route(m, { service: { namespace: 'default', name: 'birds' }, port: 9999, ...get }).backends, []);
  });
  test('an unknown root: ports are not checked, and the result says so', () => {
    const m = modelOf(split('s', 'root', [['a', 1], ['b', 3]]));
    const r = route(m, { service: { namespace: 'default', name: 'root' }, port: 80, ...get });
    assert.deepEqual(shares(r), { 'default/a': 0.25, 'default/b': 0.75 });
    assert.match(r.reasons.join(), /not in the input: ports were not checked/);
  });
});

describe('matches (A/B)', () => {
  const ab = `---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: { name: ab-test, namespace: default }
spec:
  matches: [{ name: firefox-users, headers: { user-agent: ".*Firefox.*" } }]
${split('ab', 'website', [['website-v1', 0], ['website-v2', 100]], '  matches: [{ kind: HTTPRouteGroup, name: ab-test }]\n')}`;
  const m = modelOf(ab);
  test('matching requests are split, the others go to the root service', () => {
    const firefox = route(m, { service: { namespace: 'default', name: 'website' }, protocol: 'http', http: httpParts('GET', '/', [['User-Agent', 'Mozilla Firefox/120']]) });
    assert.deepEqual(shares(firefox), { 'default/website-v2': 1 });
    const chrome = route(m, { service: { namespace: 'default', name: 'website' }, protocol: 'http', http: httpParts('GET', '/', [['user-agent', 'Chrome']]) });
    assert.deepEqual(shares(chrome), { 'default/website': 1 });
    assert.equal(chrome.split?.name, 'ab');
  });
  test('TCP traffic never fits matches', () => {
    assert.deepEqual(shares(route(m, { service: { namespace: 'default', name: 'website' }, protocol: 'tcp' })), { 'default/website': 1 });
  });
});
