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

  test('--enforcement audit: every denial SMI makes is reported (dry run), none enforced, nothing else changes', () => {
    const tally = newTally();
    const options = { ...DEFAULT_OPTIONS, enforcement: 'audit' as const };
    fc.assert(fc.property(worldsWithRequests, ([world, requests, routes]) => checkWorld(istio, schemas, world, requests, routes, options, tally)), { numRuns: 100 });
    // In audit mode Istio denies nothing smi wrote: SMI's denials show up as not enforced (and explained).
    assert.ok(tally.unenforced > 50 && tally.narrowed === 0, JSON.stringify(tally));
  });
});
