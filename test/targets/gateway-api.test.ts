import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { gatewayApi } from '../../src/targets/gateway-api/index.js';
import { DEFAULT_OPTIONS } from '../../src/targets/target.js';
import { CrdSchemas } from '../support/crd-schemas.js';
import { worldsWithRequests } from '../support/worlds.js';
import { checkWorld, newTally } from '../support/equivalence.js';

const schemas = new CrdSchemas('crds/gateway-api', 'crds/istio', 'crds/linkerd');

describe('Gateway API target: equivalence with the SMI semantics', () => {
  for (const authz of ['istio', 'linkerd'] as const) {
    test(`--authz ${authz}: never more access, differences explained, valid CRDs`, () => {
      const tally = newTally();
      fc.assert(fc.property(worldsWithRequests, ([world, requests, routes]) => checkWorld(gatewayApi, schemas, world, requests, routes, { ...DEFAULT_OPTIONS, authz, linkerdDefaultPolicy: world.mode === 'strict' ? 'deny' : 'all-unauthenticated' }, tally)), { numRuns: 200 });
      assert.ok(tally.allowedBoth > 20 && tally.deniedBoth > 30 && tally.routesExact > 30, JSON.stringify(tally));
      console.log(`gateway-api (${authz}) equivalence: ${JSON.stringify(tally)}`);
    });
  }

  test('without --authz: access is reported as not enforced, routes still exact', () => {
    const tally = newTally();
    fc.assert(fc.property(worldsWithRequests, ([world, requests, routes]) => checkWorld(gatewayApi, schemas, world, requests, routes, DEFAULT_OPTIONS, tally)), { numRuns: 60 });
    assert.equal(tally.allowedBoth + tally.deniedBoth + tally.narrowed, 0);
    assert.ok(tally.unenforced > 0 && tally.routesExact > 10, JSON.stringify(tally));
  });
});
