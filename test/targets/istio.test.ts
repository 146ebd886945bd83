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

test('a header of any value (.*) is Istio\'s "*", Envoy\'s present_match: an empty value passes, as in SMI, and no warning says otherwise', async () => {
  const { modelOf, httpRequest, deploymentYaml } = await import('../support/policy.js');
  const { decide } = await import('../../src/policy/decide.js');
  const { istio: target } = await import('../../src/targets/istio/index.js');
  const { DEFAULT_OPTIONS: options } = await import('../../src/targets/target.js');
  const model = modelOf(deploymentYaml('shop', 'api', 'api', [8080]) + deploymentYaml('shop', 'web', 'web', [80]) + `
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: g, namespace: shop}
spec: {matches: [{name: m, pathRegex: /api, headers: {x-tenant: '.*'}}]}
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: t, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: api, namespace: shop}
  rules: [{kind: HTTPRouteGroup, name: g}]
  sources: [{kind: ServiceAccount, name: web, namespace: shop}]
`);
  const t = target.translate(model, options);
  assert.deepEqual(t.diagnostics.filter((d) => d.code === 'ISTIO_HEADER_EMPTY_VALUE'), []);
  const api = model.inventory.workloads.find((w) => w.name === 'api')!;
  for (const [headers, expected] of [[{ 'x-tenant': '' }, true], [{ 'x-tenant': 'a' }, true], [{}, false]] as const) {
    const r = httpRequest('shop/web', 'shop/api', 'GET', '/api', { port: 8080, headers });
    assert.equal(decide(model, r).allowed, expected, `SMI ${JSON.stringify(headers)}`);
    assert.equal(target.evaluateAccess(t.resources, api, r, options).allowed, expected, `Istio ${JSON.stringify(headers)}`);
  }
});

describe("Istio's protocol selection: HTTP rules on a port declared TCP never match", () => {
  const input = (portName: string, appProtocol?: string) => `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {serviceAccountName: api, containers: [{name: c, image: i, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{name: ${portName}, port: 80, targetPort: 8080${appProtocol ? `, appProtocol: ${appProtocol}` : ''}}]}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: g, namespace: shop}
spec: {matches: [{name: m, pathRegex: /api, methods: [GET]}]}
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: t, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: api, namespace: shop}
  rules: [{kind: HTTPRouteGroup, name: g}]
  sources: [{kind: ServiceAccount, name: web, namespace: shop}]
`;
  const judge = async (portName: string, appProtocol?: string) => {
    const { modelOf, httpRequest } = await import('../support/policy.js');
    const model = modelOf(input(portName, appProtocol));
    const t = istio.translate(model, DEFAULT_OPTIONS);
    const api = model.inventory.workloads.find((w) => w.name === 'api')!;
    const allowed = istio.evaluateAccess(t.resources, api, httpRequest('shop/web', 'shop/api', 'GET', '/api', { port: 8080 }), DEFAULT_OPTIONS, { inventory: model.inventory }).allowed;
    return { allowed, lost: t.diagnostics.filter((d) => d.code === 'ISTIO_HTTP_ON_TCP_PORT') };
  };

  test('a port named tcp-…, or appProtocol tcp: the grant is lost there, an error names the port and the fix', async () => {
    for (const [name, app] of [['tcp-web', undefined], ['web', 'tcp'], ['mysql', undefined], ['http-web', 'tcp']] as const) {
      const r = await judge(name, app);
      assert.equal(r.allowed, false, `${name} ${app ?? ''}: Istio denies`);
      assert.equal(r.lost.length, 1, `${name} ${app ?? ''}`);
      assert.equal(r.lost[0]!.severity, 'error');
      assert.match(r.lost[0]!.message, /port 8080 of shop\/api.*Service shop\/api port .*appProtocol: http/);
    }
  });

  test('named http-…, appProtocol http, or nothing declared (HTTP is detected): the grant holds', async () => {
    for (const [name, app] of [['http-web', undefined], ['web', 'http'], ['web', undefined], ['tcp-web', 'http']] as const) {
      const r = await judge(name, app);
      assert.deepEqual([r.allowed, r.lost.length], [true, 0], `${name} ${app ?? ''}`);
    }
  });
});
