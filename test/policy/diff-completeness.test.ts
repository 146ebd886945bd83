/**
 * The probes smi diff and the dashboard compare meshes on must find every difference: on random
 * worlds, each caller/destination pair on which a random sample of requests finds SMI and a mesh
 * deciding differently must also differ on the probes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { worldsWithRequests } from '../support/worlds.js';
import { modelOfObjects } from '../support/policy.js';
import { accessProbes } from '../../src/policy/probes.js';
import { decide } from '../../src/policy/decide.js';
import { identityKey, type PolicyModel } from '../../src/policy/model.js';
import { workloadsOf } from '../../src/policy/inventory.js';
import type { AccessRequest } from '../../src/policy/request.js';
import { normalizedPath } from '../../src/targets/envoy-path.js';
import { DEFAULT_OPTIONS, type MeshResource, type Target } from '../../src/targets/target.js';
import { istio } from '../../src/targets/istio/index.js';
import { cilium } from '../../src/targets/cilium/index.js';
import { linkerd } from '../../src/targets/linkerd/index.js';

const pair = (r: AccessRequest) => `${r.source === 'unauthenticated' ? r.source : identityKey(r.source)} → ${identityKey(r.destination)}`;

/** What smi diff says of a request on a mesh: ALLOW, DENY, or nothing (no workload, no port named). */
function verdict(target: Target, resources: readonly MeshResource[], model: PolicyModel, r: AccessRequest, options = DEFAULT_OPTIONS): string | undefined {
  const decisions = workloadsOf(model.inventory, r.destination.namespace, r.destination.name).map((w) => target.evaluateAccess(resources, w, r, options, { inventory: model.inventory }));
  if (decisions.length === 0 || decisions.some((d) => d.unanswerable !== undefined)) return undefined;
  if (decisions.some((d) => !d.enforced)) return 'ALLOW';
  return decisions.every((d) => d.allowed) ? 'ALLOW' : 'DENY';
}

for (const [target, options] of [[istio, DEFAULT_OPTIONS], [cilium, DEFAULT_OPTIONS], [linkerd, { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' as const }]] as const) {
  test(`${target.name}: every pair a random sample finds different, the probes find different too`, () => {
    let found = 0;
    // Cilium expresses nearly everything SMI says: few differences exist to be found there, so the
    // property runs in rounds until it has seen enough of them to say something (at most five).
    const wanted = target.name === 'cilium' ? 1 : 10;
    for (let round = 0; round < 5 && found < wanted; round++) fc.assert(fc.property(worldsWithRequests, ([world, requests]) => {
      const model = modelOfObjects(world.objects, world.mode);
      const { resources } = target.translate(model, options);
      const identities = new Set(model.identities.map(identityKey));
      const differs = (r: AccessRequest) => {
        const v = verdict(target, resources, model, r, options);
        return v !== undefined && v !== (decide(model, r).allowed ? 'ALLOW' : 'DENY');
      };
      // Requests the probes can ask: from a known caller, and on a path the mesh does not rewrite
      // (a normalising mesh is compared on what it forwards: the equivalence tests cover those).
      const askable = requests.filter((r) => (r.source === 'unauthenticated' || identities.has(identityKey(r.source)))
        && (!r.http || normalizedPath(target.pathView(options), r.http.path) === r.http.path));
      const sampled = new Set(askable.filter(differs).map(pair));
      if (sampled.size === 0) return;
      const probed = new Set(accessProbes(model).filter(differs).map(pair));
      for (const p of sampled) {
        const example = askable.find((r) => differs(r) && pair(r) === p)!;
        assert.ok(probed.has(p), `${target.name}: the sample finds ${p} different (${JSON.stringify({ ...example, http: example.http && { ...example.http, headers: [...example.http.headers] } })}), the probes do not`);
        found++;
      }
    }), { numRuns: 120 });
    assert.ok(found >= wanted, `only ${found} differing pairs sampled: the property says little`);
    console.log(`${target.name}: ${found} differing caller/destination pairs sampled, each found by the probes`);
  });
}

test("OSM's bookstore demo: the probes find what smi check --mesh finds, on istio, linkerd and cilium", async () => {
  const { readFileSync } = await import('node:fs');
  const { modelOf, httpRequest } = await import('../support/policy.js');
  const model = modelOf(readFileSync(new URL('../fixtures/field/osm-bookstore.yaml', import.meta.url), 'utf8'));
  const ua = { 'user-agent': 'go-http-client/1.1', 'client-app': 'bookbuyer' };
  // Requests a person would check by hand: the regex header route and the regex path route.
  const asked = [
    httpRequest('bookbuyer/bookbuyer', 'bookstore/bookstore', 'GET', '/books-bought', { port: 14001, headers: ua }),
    httpRequest('bookbuyer/bookbuyer', 'bookstore/bookstore', 'GET', '/buy-a-book/new', { port: 14001 }),
    httpRequest('bookstore/bookstore', 'bookwarehouse/bookwarehouse', 'POST', '/restock-books', { port: 14001 }),
  ];
  for (const [target, options] of [[istio, DEFAULT_OPTIONS], [cilium, DEFAULT_OPTIONS], [linkerd, { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' as const }]] as const) {
    const { resources } = target.translate(model, options);
    const differs = (r: AccessRequest) => {
      const v = verdict(target, resources, model, r, options);
      return v !== undefined && v !== (decide(model, r).allowed ? 'ALLOW' : 'DENY');
    };
    const probed = new Set(accessProbes(model).filter(differs).map(pair));
    for (const r of asked.filter(differs)) assert.ok(probed.has(pair(r)), `${target.name}: smi check finds ${pair(r)} ${r.http?.method} ${r.http?.path} different; diff's probes do not`);
  }
  // The two regex routes differ on istio (its authorization takes no regex): diff must say so.
  const { resources } = istio.translate(model, DEFAULT_OPTIONS);
  assert.ok(asked.slice(0, 2).every((r) => verdict(istio, resources, model, r) === 'DENY' && decide(model, r).allowed));
});
