import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cilium } from '../../src/targets/cilium/index.js';
import { DEFAULT_OPTIONS } from '../../src/targets/target.js';
import { CrdSchemas } from '../support/crd-schemas.js';
import { worldsWithRequests } from '../support/worlds.js';
import { checkWorld, newTally } from '../support/equivalence.js';

const schemas = new CrdSchemas('crds/cilium', 'crds/gateway-api');

describe('Cilium target: equivalence with the SMI semantics', () => {
  test('random worlds and requests: never more access, differences explained, valid CRDs; UDP enforced too', () => {
    const tally = newTally();
    fc.assert(fc.property(worldsWithRequests, ([world, requests, routes]) => checkWorld(cilium, schemas, world, requests, routes, DEFAULT_OPTIONS, tally)), { numRuns: 300 });
    assert.ok(tally.allowedBoth > 50 && tally.deniedBoth > 50 && tally.routesExact > 50, JSON.stringify(tally));
    // Cilium decides everything it is asked in the datapath or its proxy: nothing is left unenforced.
    assert.equal(tally.unenforced, 0, JSON.stringify(tally));
    console.log(`cilium equivalence: ${JSON.stringify(tally)}`);
  });

  test('--cilium-mutual-auth: still never more access, valid against the CRD, nothing unenforced', () => {
    const tally = newTally();
    fc.assert(fc.property(worldsWithRequests, ([world, requests, routes]) => checkWorld(cilium, schemas, world, requests, routes, { ...DEFAULT_OPTIONS, ciliumMutualAuth: true }, tally)), { numRuns: 60 });
    assert.ok(tally.allowedBoth > 10 && tally.deniedBoth > 10, JSON.stringify(tally));
    assert.equal(tally.unenforced, 0, JSON.stringify(tally));
  });
});
