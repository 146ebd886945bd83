/**
 * The telling callers (the dashboard's differences): per destination every caller SMI grants, one it
 * does not grant from each namespace in play and one from elsewhere, an unauthenticated one; and the
 * same requests the exhaustive set asks of those callers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { worlds } from '../support/worlds.js';
import { modelOfObjects } from '../support/policy.js';
import { accessProbes } from '../../src/policy/probes.js';
import { identityKey } from '../../src/policy/model.js';
import type { AccessRequest } from '../../src/policy/request.js';

const from = (r: AccessRequest) => (r.source === 'unauthenticated' ? 'unauthenticated' : identityKey(r.source));
const to = (r: AccessRequest) => identityKey(r.destination);
const text = (r: AccessRequest) => JSON.stringify({ ...r, http: r.http ? { ...r.http, headers: [...r.http.headers] } : undefined });

test('telling callers: all granted, one ungranted per namespace in play, one from elsewhere, unauthenticated; a subset of all requests', () => {
  fc.assert(fc.property(worlds, (world) => {
    const model = modelOfObjects(world.objects, world.mode);
    const all = accessProbes(model);
    const telling = accessProbes(model, { callers: 'telling' });
    const everything = new Set(all.map(text));
    for (const r of telling) assert.ok(everything.has(text(r)), `not asked by the exhaustive set: ${text(r)}`);
    assert.deepEqual(new Set(telling.map(to)), new Set(all.map(to)), 'every destination is asked');
    for (const d of new Set(all.map(to))) {
      const callers = new Set(telling.filter((r) => to(r) === d).map(from));
      assert.ok(callers.has('unauthenticated'));
      const policy = model.destinations.get(d);
      const granted = new Set((policy?.targets ?? []).flatMap((t) => t.sources.map(identityKey)));
      for (const g of granted) assert.ok(callers.has(g), `granted caller ${g} of ${d} is asked`);
      const namespaces = new Set([d.split('/')[0]!, ...[...granted].map((g) => g.split('/')[0]!)]);
      for (const ns of namespaces) {
        const ungranted = model.identities.map(identityKey).filter((i) => i.startsWith(`${ns}/`) && !granted.has(i));
        if (ungranted.length > 0) assert.ok(ungranted.some((i) => callers.has(i)), `an ungranted caller from ${ns} asks ${d}`);
      }
      assert.ok(callers.size <= granted.size + namespaces.size + 2, `${callers.size} callers for ${d}`);
    }
  }), { numRuns: 150 });
});

test('a header named twice in one match (OSM\'s list form) is probed with a value that fits both regexes', async () => {
  const { modelOf, deploymentYaml } = await import('../support/policy.js');
  const { decide } = await import('../../src/policy/decide.js');
  const model = modelOf(deploymentYaml('a', 'api', 'api', [8080]) + deploymentYaml('a', 'web', 'web', [80]) + `---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: g, namespace: a}
spec: {matches: [{name: m, pathRegex: /api, headers: [{x-v: "1|2"}, {X-V: "2|3"}]}]}
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: t, namespace: a}
spec:
  destination: {kind: ServiceAccount, name: api, namespace: a}
  rules: [{kind: HTTPRouteGroup, name: g}]
  sources: [{kind: ServiceAccount, name: web, namespace: a}]
`);
  const granted = accessProbes(model).filter((r) => r.source !== 'unauthenticated' && identityKey(r.source) === 'a/web' && r.http?.headers.get('x-v') === '2');
  assert.ok(granted.length > 0, 'a probe carries x-v: 2, the value both conditions admit');
  assert.ok(granted.some((r) => decide(model, r).allowed), 'and SMI allows it: the grant is probed from inside');
});
