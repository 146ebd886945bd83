import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { consul } from '../../src/targets/consul/index.js';
import { DEFAULT_OPTIONS } from '../../src/targets/target.js';
import { CrdSchemas } from '../support/crd-schemas.js';
import { CONSUL_NAMESPACES, worldsOver, worldsWithRequests, type World } from '../support/worlds.js';
import type { AccessRequest, RouteRequest } from '../../src/policy/request.js';
import { stringify } from 'yaml';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { scopeOptions } from '../../src/targets/registry.js';
import { identityKey } from '../../src/policy/model.js';
import { validateYaml } from '../support/inputs.js';
import { checkWorld, newTally } from '../support/equivalence.js';

const schemas = new CrdSchemas('crds/consul');

describe('Consul target: equivalence with the SMI semantics', () => {
  test('namespace mirroring: never more access, differences explained, valid CRDs', () => {
    const tally = newTally();
    const options = { ...DEFAULT_OPTIONS, consulNamespaces: 'mirror' as const };
    fc.assert(fc.property(worldsWithRequests, ([world, requests, routes]) => checkWorld(consul, schemas, world, requests, routes, options, tally)), { numRuns: 300 });
    assert.ok(tally.allowedBoth > 30 && tally.deniedBoth > 50 && tally.routesExact > 50 && tally.narrowed > 0, JSON.stringify(tally));
    console.log(`consul (mirror) equivalence: ${JSON.stringify(tally)}`);
  });

  test('one Consul namespace: names shared across Kubernetes namespaces never widen access', () => {
    const tally = newTally();
    // Without Consul namespaces a name is one service cluster-wide, and smi takes its input to hold
    // every name in use: so requests come only from identities and to Services the world has (one
    // the input lacks would share its name with a namesake that smi cannot see).
    const existing = (world: World, routes: RouteRequest[]) =>
      routes.filter((r) => world.objects.some((o) => o.kind === 'Service' && JSON.stringify(o.metadata) === JSON.stringify({ name: r.service.name, namespace: r.service.namespace })));
    const known = (world: World, requests: AccessRequest[]) => {
      const model = resolvePolicy(validateYaml(world.objects.map((o) => stringify(o)).join('---\n')), { mode: world.mode, scope: scopeOptions(world.scope) });
      const ids = new Set([...model.identities.map(identityKey), ...model.inventory.workloads.map((w) => `${w.namespace}/${w.serviceAccount}`)]);
      return requests.filter((r) => r.source === 'unauthenticated' || ids.has(identityKey(r.source)));
    };
    // Two application namespaces, so that names are sometimes unique and grants happen at all.
    // A fixed seed: allows Consul enforces in one namespace are rare (a name shared across namespaces is
    // never granted), and the tally below must not depend on luck.
    fc.assert(fc.property(worldsOver(['a', 'b']).worldsWithRequests, ([world, requests, routes]) => checkWorld(consul, schemas, world, known(world, requests), existing(world, routes), DEFAULT_OPTIONS, tally)), { numRuns: 200, seed: 20261201 });
    assert.ok(tally.allowedBoth > 3 && tally.deniedBoth > 50 && tally.narrowed > 0, JSON.stringify(tally));
    console.log(`consul (single) equivalence: ${JSON.stringify(tally)}`);

    // With Consul's own namespace beside them: a name shared with a workload outside smi's scope is
    // never written for (it would reach that workload), and nothing smi writes changes answers there.
    const system = newTally();
    fc.assert(fc.property(worldsOver(CONSUL_NAMESPACES).worldsWithRequests, ([world, requests, routes]) => checkWorld(consul, schemas, world, known(world, requests), existing(world, routes), DEFAULT_OPTIONS, system)), { numRuns: 150 });
    assert.ok(system.outOfScope > 50 && system.deniedBoth > 50, JSON.stringify(system));
  });
});
