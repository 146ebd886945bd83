/**
 * --fence networkpolicy: the mesh and its NetworkPolicies together are never wider than SMI, what the
 * fence leaves to the mesh is only finer than L4, and it shrinks what the mesh alone leaves open.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findTarget } from '../../src/targets/registry.js';
import { DEFAULT_OPTIONS, type TranslateOptions } from '../../src/targets/target.js';
import { CrdSchemas } from '../support/crd-schemas.js';
import { worldsWithRequests } from '../support/worlds.js';
import { checkWorld, newTally } from '../support/equivalence.js';

const schemas = new CrdSchemas('crds/istio', 'crds/linkerd', 'crds/gateway-api', 'crds/consul', 'crds/appmesh');

const CONFIGS: { name: string; mesh: string; runs?: number; options: (mode: string) => TranslateOptions }[] = [
  { name: 'istio', mesh: 'istio', options: () => DEFAULT_OPTIONS },
  { name: 'linkerd, default inbound policy unknown', mesh: 'linkerd', runs: 40, options: () => DEFAULT_OPTIONS },
  { name: 'linkerd, install default', mesh: 'linkerd', runs: 40, options: (mode) => ({ ...DEFAULT_OPTIONS, linkerdDefaultPolicy: mode === 'strict' ? 'deny' : 'all-unauthenticated' }) },
  // Namespace mirroring: with one Consul namespace, callers the input does not run share names (consul.test.ts).
  { name: 'consul (mirror)', mesh: 'consul', options: () => ({ ...DEFAULT_OPTIONS, consulNamespaces: 'mirror' }) },
  { name: 'appmesh', mesh: 'appmesh', runs: 25, options: () => DEFAULT_OPTIONS },
  { name: 'gateway-api without authorization', mesh: 'gateway-api', options: () => DEFAULT_OPTIONS },
  { name: 'gateway-api --authz istio', mesh: 'gateway-api', options: () => ({ ...DEFAULT_OPTIONS, authz: 'istio' }) },
];

describe('NetworkPolicy fence: mesh + fence against the SMI semantics', () => {
  for (const c of CONFIGS) {
    test(`${c.name}: never wider than SMI; UDP and callers SMI grants nothing are decided by the fence`, () => {
      const target = findTarget(c.mesh)!;
      const fenced = newTally();
      const bare = newTally();
      fc.assert(fc.property(worldsWithRequests, ([world, requests, routes]) => {
        checkWorld(target, schemas, world, requests, routes, { ...c.options(world.mode), fence: 'networkpolicy' }, fenced);
        checkWorld(target, schemas, world, requests, routes, c.options(world.mode), bare);
      }), { numRuns: c.runs ?? 60 });
      console.log(`fence ${c.name}: with ${JSON.stringify(fenced)}\n  without ${JSON.stringify(bare)}`);
      assert.ok(fenced.deniedBoth > 50 && fenced.allowedBoth + fenced.unenforced > 20, JSON.stringify(fenced));
      // What the mesh alone leaves open to SMI's denials, the fence closes down to what is finer than
      // L4 (checked request by request in checkWorld).
      assert.ok(bare.unenforcedDenied > 0, JSON.stringify(bare));
      assert.ok(fenced.unenforcedDenied < bare.unenforcedDenied, `fenced ${fenced.unenforcedDenied} vs bare ${bare.unenforcedDenied}`);
    });
  }
});
