import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { istio } from '../../src/targets/istio/index.js';
import { DEFAULT_OPTIONS } from '../../src/targets/target.js';
import { CrdSchemas } from '../support/crd-schemas.js';
import { worldsWithRequests } from '../support/worlds.js';
import { checkWorld, newTally } from '../support/equivalence.js';

const schemas = new CrdSchemas('crds/istio');

describe('Istio target: equivalence with the SMI semantics', () => {
  test('random worlds and requests: never more access, differences explained, valid CRDs', () => {
    const tally = newTally();
    fc.assert(fc.property(worldsWithRequests, ([world, requests, routes]) => checkWorld(istio, schemas, world, requests, routes, DEFAULT_OPTIONS, tally)), { numRuns: 300 });
    // The comparison must not be vacuous: both outcomes and routes must actually occur.
    assert.ok(tally.allowedBoth > 50 && tally.deniedBoth > 50 && tally.routesExact > 50, JSON.stringify(tally));
    console.log(`istio equivalence: ${JSON.stringify(tally)}`);
  });
});
