import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { linkerd } from '../../src/targets/linkerd/index.js';
import { DEFAULT_OPTIONS } from '../../src/targets/target.js';
import { CrdSchemas } from '../support/crd-schemas.js';
import { worldsWithRequests } from '../support/worlds.js';
import { checkWorld, newTally } from '../support/equivalence.js';
import { deploymentYaml, modelOf } from '../support/policy.js';

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

  test('--linkerd-namespace-deny, cluster default unknown: in strict mode smi annotates the namespaces it governs, and nothing but UDP is left unenforced there', () => {
    const tally = newTally();
    const bare = newTally();
    const options = { ...DEFAULT_OPTIONS, linkerdNamespaceDeny: true };
    fc.assert(fc.property(worldsWithRequests, ([world, requests, routes]) => {
      checkWorld(linkerd, schemas, world, requests, routes, options, tally);
      if (world.mode === 'strict') checkWorld(linkerd, schemas, world, requests.filter((r) => r.protocol !== 'udp'), routes, options, bare);
    }), { numRuns: 100 });
    assert.ok(tally.deniedBoth > 50 && tally.unenforced > 0, JSON.stringify(tally));
    // Without UDP, what stays unenforced is only what SMI allows (the default policy is deny where smi governs).
    assert.ok(bare.deniedBoth > 50, JSON.stringify(bare));
    assert.equal(bare.unenforcedDenied, 0, JSON.stringify(bare));
  });

  test('--linkerd-namespace-deny writes the annotation alone, on the namespaces in scope that hold destinations', () => {
    const text = `${deploymentYaml('shop', 'books', 'books', [8080])}${deploymentYaml('kube-system', 'dns', 'coredns', [53])}
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: t, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: books, namespace: shop}
  rules: [{kind: TCPRoute, name: t}]
  sources: [{kind: ServiceAccount, name: web, namespace: front}]
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: t, namespace: shop}
spec: {matches: {ports: [8080]}}
`;
    const model = modelOf(text);
    const t = linkerd.translate(model, { ...DEFAULT_OPTIONS, linkerdNamespaceDeny: true });
    assert.deepEqual(t.resources.filter((r) => r.kind === 'Namespace'), [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', annotations: { 'config.linkerd.io/default-inbound-policy': 'deny' } } }]);
    assert.ok(!t.diagnostics.some((d) => d.code === 'LINKERD_DEFAULT_POLICY_NOT_ENFORCED'), 'strict mode is enforced now');
    assert.ok(t.diagnostics.some((d) => d.code === 'LINKERD_NAMESPACE_DENY'));
    // Without it, strict mode with an unknown default is an error.
    assert.ok(linkerd.translate(model, DEFAULT_OPTIONS).diagnostics.some((d) => d.code === 'LINKERD_DEFAULT_POLICY_NOT_ENFORCED' && d.severity === 'error'));
    // In per-destination mode a namespace-wide deny would reach workloads SMI leaves alone: not written, and said.
    const perDestination = linkerd.translate(modelOf(text, 'per-destination'), { ...DEFAULT_OPTIONS, linkerdNamespaceDeny: true });
    assert.ok(!perDestination.resources.some((r) => r.kind === 'Namespace'));
    assert.ok(perDestination.diagnostics.some((d) => d.code === 'LINKERD_NAMESPACE_DENY_SKIPPED'));
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

describe('a grant Linkerd will not carry is an error (exit 1), naming the grant and the remedy', () => {
  test("OSM's bookstore with bookwarehouse's pods declaring no port (as OSM's demo has them): LINKERD_GRANT_LOST, exit 1", async () => {
    const { readFileSync } = await import('node:fs');
    const { runCli } = await import('../support/cli.js');
    const osm = readFileSync(new URL('../fixtures/field/osm-bookstore.yaml', import.meta.url), 'utf8')
      .replace('image: openservicemesh/bookwarehouse, ports: [{ containerPort: 14001 }]', 'image: openservicemesh/bookwarehouse');
    assert.ok(!osm.includes('openservicemesh/bookwarehouse, ports'), 'the fixture changed: this test removes bookwarehouse\'s containerPort');
    const run = await runCli(['translate', '-f', '-', '--mesh', 'linkerd', '--linkerd-default-policy', 'deny'], osm);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /error LINKERD_GRANT_LOST: TrafficTarget bookwarehouse\/\S+ grants bookstore\/bookstore every port of bookwarehouse\/bookwarehouse, but no pod of it declares a TCP port.*Declare the containerPorts in the pod spec/);
  });

  test('a v1alpha2 destination port the pods do not declare: the grant is lost, said with the port to declare', async () => {
    const { modelOf, deploymentYaml } = await import('../support/policy.js');
    const model = modelOf(deploymentYaml('shop', 'api', 'api', [9090]) + deploymentYaml('shop', 'web', 'web', [80]) + `
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: all, namespace: shop}
spec: {}
---
apiVersion: access.smi-spec.io/v1alpha2
kind: TrafficTarget
metadata: {name: web-to-api, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: api, namespace: shop, port: 8080}
  rules: [{kind: TCPRoute, name: all}]
  sources: [{kind: ServiceAccount, name: web, namespace: shop}]
`);
    const t = linkerd.translate(model, { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' });
    const lost = t.diagnostics.find((d) => d.code === 'LINKERD_GRANT_LOST');
    assert.ok(lost && lost.severity === 'error' && /port 8080 of shop\/api/.test(lost.message) && /Declare the containerPort 8080/.test(lost.message), JSON.stringify(t.diagnostics));
  });
});

describe("Linkerd's opaque ports: HTTP there is carried as TCP, so route-level grants never match", () => {
  const world = (rule: string, service = '') => modelOf(deploymentYaml('db', 'sql', 'sql', [3306, 8080]) + deploymentYaml('db', 'app', 'app', [80]) + service + `
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: reads, namespace: db}
spec: {matches: [{name: get, methods: [GET]}]}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: all, namespace: db}
spec: {}
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: app-to-sql, namespace: db}
spec:
  destination: {kind: ServiceAccount, name: sql, namespace: db}
  rules: [${rule}]
  sources: [{kind: ServiceAccount, name: app, namespace: db}]
`);
  const options = { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' as const };
  const sql = { kind: 'Deployment', namespace: 'db', name: 'sql', labels: { app: 'sql' }, serviceAccount: 'sql', ports: [{ port: 3306, protocol: 'TCP' }, { port: 8080, protocol: 'TCP' }] };
  const ask = (model: ReturnType<typeof modelOf>, port: number) => {
    const t = linkerd.translate(model, options);
    const r = { source: { namespace: 'db', name: 'app' }, destination: { namespace: 'db', name: 'sql' }, port, protocol: 'http' as const, http: { method: 'GET', path: '/', headers: new Map<string, string>() } };
    return { t, decision: linkerd.evaluateAccess(t.resources, sql, r, options, { inventory: model.inventory }) };
  };

  test('a route-level grant on a default opaque port (3306) is lost there: an error naming the port and the remedy; the evaluator denies', () => {
    const model = world('{kind: HTTPRouteGroup, name: reads}');
    const { t, decision } = ask(model, 3306);
    const lost = t.diagnostics.filter((d) => d.code === 'LINKERD_HTTP_ON_OPAQUE_PORT');
    assert.equal(lost.length, 1, JSON.stringify(t.diagnostics));
    assert.equal(lost[0]?.severity, 'error');
    assert.match(lost[0]?.message ?? '', /port 3306 of db\/sql.*the cluster's opaque ports, proxy\.opaquePorts \(Linkerd's default list.*TCPRoute instead/);
    assert.equal(decision.allowed, false);
    assert.match(decision.reasons[0] ?? '', /opaque/);
    assert.equal(ask(model, 8080).decision.allowed, true, 'a port Linkerd detects is unaffected');
  });

  test('appProtocol linkerd.io/opaque on a Service port makes its target port opaque too', () => {
    const model = world('{kind: HTTPRouteGroup, name: reads}', `---
apiVersion: v1
kind: Service
metadata: {name: sql, namespace: db}
spec: {selector: {app: sql}, ports: [{port: 80, targetPort: 8080, appProtocol: linkerd.io/opaque}]}
`);
    const { t, decision } = ask(model, 8080);
    assert.ok(t.diagnostics.some((d) => d.code === 'LINKERD_HTTP_ON_OPAQUE_PORT' && /appProtocol linkerd\.io\/opaque/.test(d.message)));
    assert.equal(decision.allowed, false);
  });

  test('--linkerd-opaque-ports: the cluster\'s own list replaces Linkerd\'s default (3306 detected, 8080 opaque)', () => {
    const model = world('{kind: HTTPRouteGroup, name: reads}');
    const own = { ...options, linkerdOpaquePorts: '25, 8000-8100' };
    const t = linkerd.translate(model, own);
    const lost = t.diagnostics.filter((d) => d.code === 'LINKERD_HTTP_ON_OPAQUE_PORT');
    assert.deepEqual(lost.map((d) => /port (\d+) of/.exec(d.message)?.[1]), ['8080']);
    const ask = (port: number) => linkerd.evaluateAccess(t.resources, sql, { source: { namespace: 'db', name: 'app' }, destination: { namespace: 'db', name: 'sql' }, port, protocol: 'http', http: { method: 'GET', path: '/', headers: new Map() } }, own, { inventory: model.inventory }).allowed;
    assert.deepEqual([ask(3306), ask(8080)], [true, false]);
  });

  test('--linkerd-opaque-ports on the command line: refused when malformed or for another mesh; written into the controller\'s arguments by install', async () => {
    const { runCli } = await import('../support/cli.js');
    const bad = await runCli(['translate', '-f', 'examples/l4', '--mesh', 'linkerd', '--linkerd-opaque-ports', '3306,70000']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--linkerd-opaque-ports takes ports and ranges from 1 to 65535/);
    const other = await runCli(['translate', '-f', 'examples/l4', '--mesh', 'istio', '--linkerd-opaque-ports', '3306']);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /--linkerd-opaque-ports applies to --mesh linkerd, or --mesh gateway-api --authz linkerd/);
    const install = await runCli(['install', '--mesh', 'linkerd', '--linkerd-default-policy', 'deny', '--linkerd-opaque-ports', '25,3306']);
    assert.equal(install.code, 0, install.stderr);
    assert.match(install.stdout, /- "--linkerd-opaque-ports"\n\s+- 25,3306\n/);
  });

  test('a TCP grant carries HTTP on an opaque port (authorized at the Server): no error', () => {
    const model = world('{kind: TCPRoute, name: all}');
    const { t, decision } = ask(model, 3306);
    assert.ok(!t.diagnostics.some((d) => d.code === 'LINKERD_HTTP_ON_OPAQUE_PORT'));
    assert.equal(decision.allowed, true);
  });
});

test('once routes attach to a Server, the warning says exactly what to write for kubelet probes, naming the Servers', async () => {
  const { readFileSync } = await import('node:fs');
  const model = modelOf(readFileSync(new URL('../fixtures/field/osm-bookstore.yaml', import.meta.url), 'utf8'));
  const t = linkerd.translate(model, { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' });
  const w = t.diagnostics.find((d) => d.code === 'LINKERD_PROBES_NEED_AUTHORIZATION');
  assert.ok(w, JSON.stringify(t.diagnostics.map((d) => d.code)));
  assert.match(w.message, /bookstore\/smi-bookstore--p14001/);
  for (const part of [/HTTPRoute \(policy\.linkerd\.io\) with parentRefs \[\{group: policy\.linkerd\.io, kind: Server/, /NetworkAuthentication/, /AuthorizationPolicy targeting that HTTPRoute/]) assert.match(w.message, part);
});

test('the evaluator answers for the list it is asked with: the same Server object in a list without its AuthorizationPolicy denies', async () => {
  const { grantBooks, route, smallShop } = await import('../conformance/shop.js');
  const { l4Request } = await import('../support/policy.js');
  const options = { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' as const };
  const model = modelOf(smallShop() + route('TCPRoute', 'any', '{}') + grantBooks('web-to-books', ['web'], '[{kind: TCPRoute, name: any}]'));
  const { resources } = linkerd.translate(model, options);
  const books = model.inventory.workloads.find((w) => w.name === 'books')!;
  const request = l4Request('shop/web', 'shop/books', 'tcp', 8080);
  assert.equal(linkerd.evaluateAccess(resources, books, request, options).allowed, true);
  // Remembered look-ups of the first list must not answer for this one (same Server, policies gone).
  const withoutPolicies = resources.filter((r) => r.kind !== 'AuthorizationPolicy');
  assert.ok(withoutPolicies.some((r) => r.kind === 'Server'));
  assert.equal(linkerd.evaluateAccess(withoutPolicies, books, request, options).allowed, false);
});
