import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { appmesh } from '../../src/targets/appmesh/index.js';
import { DEFAULT_OPTIONS } from '../../src/targets/target.js';
import { CrdSchemas } from '../support/crd-schemas.js';
import { worldsWithRequests } from '../support/worlds.js';
import { checkWorld, newTally } from '../support/equivalence.js';

const schemas = new CrdSchemas('crds/appmesh');

describe('App Mesh target: equivalence with the SMI semantics', () => {
  test('random worlds and requests: never more access, differences explained, valid CRDs', () => {
    const tally = newTally();
    fc.assert(fc.property(worldsWithRequests, ([world, requests, routes]) => checkWorld(appmesh, schemas, world, requests, routes, DEFAULT_OPTIONS, tally)), { numRuns: 300 });
    assert.ok(tally.allowedBoth > 50 && tally.deniedBoth > 50 && tally.routesExact > 50 && tally.narrowed > 0, JSON.stringify(tally));
    console.log(`appmesh equivalence: ${JSON.stringify(tally)}`);
  });
});
