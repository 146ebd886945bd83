import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { linkerd } from '../../src/targets/linkerd/index.js';
import { DEFAULT_OPTIONS } from '../../src/targets/target.js';
import { CrdSchemas } from '../support/crd-schemas.js';
import { worldsWithRequests } from '../support/worlds.js';
import { checkWorld, newTally } from '../support/equivalence.js';

// Linkerd's own CRDs for policy, and Gateway API's for the split routes Linkerd reads.
const schemas = new CrdSchemas('crds/linkerd', 'crds/gateway-api');

describe('Linkerd target: equivalence with the SMI semantics', () => {
  test('random worlds and requests: never more access, differences explained, valid CRDs', () => {
    const tally = newTally();
    // Strict mode relies on the default inbound policy deny (what smi asks for); the other modes on Linkerd's install default.
    const options = (world: { mode: string }) => ({ ...DEFAULT_OPTIONS, linkerdDefaultPolicy: world.mode === 'strict' ? ('deny' as const) : ('all-unauthenticated' as const) });
    fc.assert(fc.property(worldsWithRequests, ([world, requests, routes]) => checkWorld(linkerd, schemas, world, requests, routes, options(world), tally)), { numRuns: 300 });
    assert.ok(tally.allowedBoth > 50 && tally.deniedBoth > 50 && tally.routesExact > 50, JSON.stringify(tally));
    console.log(`linkerd equivalence: ${JSON.stringify(tally)}`);
  });

  test('default inbound policy unknown: uncovered ports are reported as not enforced, never allowed silently', () => {
    const tally = newTally();
    fc.assert(fc.property(worldsWithRequests, ([world, requests, routes]) => checkWorld(linkerd, schemas, world, requests, routes, DEFAULT_OPTIONS, tally)), { numRuns: 100 });
    assert.ok(tally.unenforced > 0 && tally.deniedBoth > 0, JSON.stringify(tally));
  });

  test('--enforcement audit: what SMI denies is let through and reported, never silently', () => {
    const tally = newTally();
    const options = { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'audit' as const, enforcement: 'audit' as const };
    fc.assert(fc.property(worldsWithRequests, ([world, requests, routes]) => checkWorld(linkerd, schemas, world, requests, routes, options, tally)), { numRuns: 100 });
    assert.ok(tally.unenforced > 50, JSON.stringify(tally));
  });

  test('legacy ServiceProfile splits: same routes where expressible, reported where not', () => {
    const tally = newTally();
    const options = { ...DEFAULT_OPTIONS, linkerdServiceProfiles: true };
    fc.assert(fc.property(worldsWithRequests, ([world, requests, routes]) => checkWorld(linkerd, schemas, world, requests, routes, options, tally)), { numRuns: 100 });
    assert.ok(tally.routesExact > 20 && tally.routesReported > 0, JSON.stringify(tally));
  });
});
