import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { istio } from '../../src/targets/istio/index.js';
import { TARGETS } from '../../src/targets/registry.js';
import { DEFAULT_OPTIONS } from '../../src/targets/target.js';
import { CrdSchemas } from '../support/crd-schemas.js';
import { worldsWithRequests } from '../support/worlds.js';
import { checkWorld, newTally } from '../support/equivalence.js';
import { grantBooks, route, smallShop } from '../conformance/shop.js';

const schemas = new CrdSchemas('crds/istio', 'crds/gateway-api');
const fenceSchemas = new CrdSchemas('crds/istio', 'crds/gateway-api');

describe('Istio target: equivalence with the SMI semantics', () => {
  test('random worlds and requests: never more access, differences explained, valid CRDs', () => {
    const tally = newTally();
    fc.assert(fc.property(worldsWithRequests, ([world, requests, routes]) => checkWorld(istio, schemas, world, requests, routes, DEFAULT_OPTIONS, tally)), { numRuns: 300 });
    // The comparison must not be vacuous: both outcomes and routes must actually occur.
    assert.ok(tally.allowedBoth > 50 && tally.deniedBoth > 50 && tally.routesExact > 50, JSON.stringify(tally));
    console.log(`istio equivalence: ${JSON.stringify(tally)}`);
  });

  test('--istio-data-plane ambient (waypoints, the default): ztunnel and the waypoint together — never more access, every narrowing said', () => {
    const tally = newTally();
    const options = { ...DEFAULT_OPTIONS, istioDataPlane: 'ambient' as const };
    fc.assert(fc.property(worldsWithRequests, ([world, requests, routes]) => checkWorld(istio, schemas, world, requests, routes, options, tally)), { numRuns: 200 });
    // The waypoint carries route-level grants: allowed HTTP requests are common, not only L4 ones.
    assert.ok(tally.allowedBoth > 50 && tally.deniedBoth > 50, JSON.stringify(tally));
    console.log(`istio ambient (waypoint) equivalence: ${JSON.stringify(tally)}`);
  });

  test('--istio-data-plane ambient --istio-waypoint none: ztunnel\'s L4 only — never more access, every HTTP grant and split said to be left out', () => {
    const tally = newTally();
    const options = { ...DEFAULT_OPTIONS, istioDataPlane: 'ambient' as const, istioWaypoint: 'none' };
    // 300 worlds: at 200 one CI run saw exactly 20 narrowed cases, at the coverage bound below (five runs at 300: 73–114).
    fc.assert(fc.property(worldsWithRequests, ([world, requests, routes]) => checkWorld(istio, schemas, world, requests, routes, options, tally)), { numRuns: 300 });
    assert.ok(tally.allowedBoth > 20 && tally.deniedBoth > 50 && tally.narrowed > 20, JSON.stringify(tally));
    console.log(`istio ambient equivalence: ${JSON.stringify(tally)}`);
  });

  test('--istio-data-plane ambient --istio-waypoint none --fence networkpolicy: the fence lets granted TCP in over HBONE (15008)', () => {
    const tally = newTally();
    const options = { ...DEFAULT_OPTIONS, istioDataPlane: 'ambient' as const, istioWaypoint: 'none', fence: 'networkpolicy' as const };
    fc.assert(fc.property(worldsWithRequests, ([world, requests, routes]) => checkWorld(TARGETS.istio!, fenceSchemas, world, requests, routes, options, tally)), { numRuns: 100 });
    assert.ok(tally.allowedBoth > 10 && tally.deniedBoth > 50, JSON.stringify(tally));
  });

  test('--istio-data-plane ambient --fence networkpolicy (waypoints): the fence lets the waypoint\'s pods carry grants in over HBONE — never more access', () => {
    const tally = newTally();
    const options = { ...DEFAULT_OPTIONS, istioDataPlane: 'ambient' as const, fence: 'networkpolicy' as const };
    fc.assert(fc.property(worldsWithRequests, ([world, requests, routes]) => checkWorld(TARGETS.istio!, fenceSchemas, world, requests, routes, options, tally)), { numRuns: 100 });
    assert.ok(tally.allowedBoth > 10 && tally.deniedBoth > 50, JSON.stringify(tally));
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
  const { modelOf, httpRequest } = await import('../support/policy.js');
  const { decide } = await import('../../src/policy/decide.js');
  const { istio: target } = await import('../../src/targets/istio/index.js');
  const { DEFAULT_OPTIONS: options } = await import('../../src/targets/target.js');
  const model = modelOf(smallShop() + route('HTTPRouteGroup', 'g', "{matches: [{name: m, pathRegex: /api, headers: {x-tenant: '.*'}}]}") + grantBooks('t', ['web'], '[{kind: HTTPRouteGroup, name: g}]'));
  const t = target.translate(model, options);
  assert.deepEqual(t.diagnostics.filter((d) => d.code === 'ISTIO_HEADER_EMPTY_VALUE'), []);
  const books = model.inventory.workloads.find((w) => w.name === 'books')!;
  for (const [headers, expected] of [[{ 'x-tenant': '' }, true], [{ 'x-tenant': 'a' }, true], [{}, false]] as const) {
    const r = httpRequest('shop/web', 'shop/books', 'GET', '/api', { port: 8080, headers });
    assert.equal(decide(model, r).allowed, expected, `SMI ${JSON.stringify(headers)}`);
    assert.equal(target.evaluateAccess(t.resources, books, r, options).allowed, expected, `Istio ${JSON.stringify(headers)}`);
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

describe('Istio ambient (--istio-data-plane ambient), named cases', () => {
  const options = { ...DEFAULT_OPTIONS, istioDataPlane: 'ambient' as const };
  test('an L4 grant is an ALLOW policy ztunnel enforces (principals and ports); HTTP to the port passes as a connection', async () => {
    const { modelOf, deploymentYaml, httpRequest, l4Request } = await import('../support/policy.js');
    const model = modelOf(deploymentYaml('shop', 'db', 'db', [5432]) + deploymentYaml('shop', 'api', 'api', [80]) + deploymentYaml('shop', 'cron', 'cron', [80]) + `
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: pg, namespace: shop}
spec: {matches: {ports: [5432]}}
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: api-db, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: db, namespace: shop}
  rules: [{kind: TCPRoute, name: pg}]
  sources: [{kind: ServiceAccount, name: api, namespace: shop}]
`);
    const t = istio.translate(model, options);
    const policy = t.resources.find((r) => r.metadata.name === 'smi-db');
    assert.deepEqual(policy?.spec, { selector: { matchLabels: { app: 'db' } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/api'] } }], to: [{ operation: { ports: ['5432'] } }] }] });
    const db = model.inventory.workloads.find((w) => w.name === 'db')!;
    const ask = (r: Parameters<typeof istio.evaluateAccess>[2]) => istio.evaluateAccess(t.resources, db, r, options, { inventory: model.inventory }).allowed;
    assert.equal(ask(l4Request('shop/api', 'shop/db', 'tcp', 5432)), true);
    assert.equal(ask(httpRequest('shop/api', 'shop/db', 'GET', '/', { port: 5432 })), true);
    assert.equal(ask(l4Request('shop/cron', 'shop/db', 'tcp', 5432)), false);
    assert.equal(ask(l4Request('shop/api', 'shop/db', 'tcp', 5433)), false);
  });

  test('--istio-waypoint none: an HTTP grant is left out with an error; nothing with HTTP fields is ever written for ztunnel', async () => {
    const { modelOf, httpRequest } = await import('../support/policy.js');
    const model = modelOf(smallShop() + route('HTTPRouteGroup', 'reads', '{matches: [{name: get, methods: [GET], pathRegex: /books}]}') + grantBooks('web-books', ['web'], '[{kind: HTTPRouteGroup, name: reads}]'));
    const t = istio.translate(model, { ...options, istioWaypoint: 'none' });
    const lost = t.diagnostics.find((d) => d.code === 'ISTIO_AMBIENT_NEEDS_WAYPOINT');
    assert.equal(lost?.severity, 'error');
    assert.match(lost?.message ?? '', /shop\/web.*shop\/books.*waypoint/);
    assert.doesNotMatch(JSON.stringify(t.resources), /"(paths|methods|notPaths|notMethods)"/);
    const books = model.inventory.workloads.find((w) => w.name === 'books')!;
    assert.equal(istio.evaluateAccess(t.resources, books, httpRequest('shop/web', 'shop/books', 'GET', '/books', { port: 8080 }), { ...options, istioWaypoint: 'none' }, { inventory: model.inventory }).allowed, false);
  });

  describe('waypoints (the default: --istio-waypoint create)', () => {
    const reads = route('HTTPRouteGroup', 'reads', '{matches: [{name: get, methods: [GET], pathRegex: /books}]}');
    const shop = async (extra = '') => {
      const { modelOf } = await import('../support/policy.js');
      return modelOf(smallShop({ cron: true }) + reads + grantBooks('web-books', ['web'], '[{kind: HTTPRouteGroup, name: reads}]') + extra);
    };

    test('a route-level grant: smi\'s waypoint in the namespace, the namespace labelled to use it, a policy on the Service for the waypoint, and ztunnel admitting the waypoint', async () => {
      const t = istio.translate(await shop(), options);
      const gateway = t.resources.find((r) => r.kind === 'Gateway');
      assert.equal(gateway?.apiVersion, 'gateway.networking.k8s.io/v1');
      assert.deepEqual([gateway?.metadata.name, gateway?.metadata.namespace, gateway?.metadata.labels?.['istio.io/waypoint-for']], ['smi-waypoint', 'shop', 'service']);
      assert.deepEqual(gateway?.spec, { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] });
      assert.deepEqual(t.resources.filter((r) => r.kind === 'Namespace'), [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio.io/use-waypoint': 'smi-waypoint' } } }]);
      // Service books: port 80 → pod 8080; the grant names no port, so the waypoint's rule names none either.
      const atWaypoint = t.resources.find((r) => r.metadata.name === 'smi-books--waypoint');
      assert.deepEqual(atWaypoint?.spec, { targetRefs: [{ kind: 'Service', group: '', name: 'books' }], action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }], to: [{ operation: { methods: ['GET'], paths: ['/books*'] } }] }] });
      const ztunnel = t.resources.find((r) => r.metadata.name === 'smi-books');
      assert.deepEqual(ztunnel?.spec, { selector: { matchLabels: { app: 'books' } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/smi-waypoint'] } }] }] });
      assert.deepEqual(t.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code), []);
      assert.ok(t.diagnostics.some((d) => d.code === 'ISTIO_WAYPOINT_SERVICE_TRAFFIC' && d.severity === 'warning'));
      // web is granted nothing and called by no one: the waypoint has no policy for its Service, and ztunnel's deny-by-default decides.
      assert.equal(t.resources.some((r) => r.metadata.name === 'smi-web--waypoint'), false);
    });

    test('evaluated along both paths: through the waypoint the request is judged with the caller\'s identity; to the pod directly only L4 grants pass', async () => {
      const { httpRequest, l4Request } = await import('../support/policy.js');
      const model = await shop();
      const t = istio.translate(model, options);
      const books = model.inventory.workloads.find((w) => w.name === 'books')!;
      const ask = (r: Parameters<typeof istio.evaluateAccess>[2]) => istio.evaluateAccess(t.resources, books, r, options, { inventory: model.inventory });
      const get = ask(httpRequest('shop/web', 'shop/books', 'GET', '/books/1', { port: 8080 }));
      assert.equal(get.allowed, true, get.reasons.join('\n'));
      assert.match(get.reasons.join('\n'), /through waypoint smi-waypoint for Service books: allowed/);
      assert.match(get.reasons.join('\n'), /to the pod directly, ztunnel: denied/);
      assert.equal(ask(httpRequest('shop/web', 'shop/books', 'POST', '/books/1', { port: 8080 })).allowed, false, 'the method is judged at the waypoint');
      assert.equal(ask(httpRequest('shop/cron', 'shop/books', 'GET', '/books/1', { port: 8080 })).allowed, false, 'another caller');
      assert.equal(ask(l4Request('shop/web', 'shop/books', 'tcp', 8080)).allowed, false, 'raw TCP from the HTTP-granted caller');
      // Without the namespace label nothing goes through the waypoint: its policies are never reached.
      const unlabelled = t.resources.filter((r) => r.kind !== 'Namespace');
      assert.equal(istio.evaluateAccess(unlabelled, books, httpRequest('shop/web', 'shop/books', 'GET', '/books/1', { port: 8080 }), options, { inventory: model.inventory }).allowed, false);
    });

    test('an L4 grant in a waypoint namespace holds both ways: directly at ztunnel, and through the waypoint for requests to the Service', async () => {
      const { l4Request } = await import('../support/policy.js');
      const model = await shop(route('TCPRoute', 'tcp', '{matches: {ports: [8080]}}') + grantBooks('cron-tcp', ['cron'], '[{kind: TCPRoute, name: tcp}]') + `---
apiVersion: v1
kind: Service
metadata: {name: books-http, namespace: shop}
spec: {selector: {app: books}, ports: [{name: http, port: 80, targetPort: 8080}]}
`);
      const t = istio.translate(model, options);
      // Service books-http is 80 → 8080: the waypoint lists both numbers, which is right whichever one Istio compares there.
      const portsAt = (name: string) => (t.resources.find((r) => r.metadata.name === name)?.spec as { rules: { to?: { operation: { ports?: string[] } }[] }[] }).rules.find((r) => r.to?.[0]?.operation.ports)?.to?.[0]?.operation.ports;
      assert.deepEqual(portsAt('smi-books-http--waypoint'), ['80', '8080']);
      assert.deepEqual(portsAt('smi-books--waypoint'), ['8080'], 'Service books is 8080 → 8080');
      const books = model.inventory.workloads.find((w) => w.name === 'books')!;
      const decision = istio.evaluateAccess(t.resources, books, l4Request('shop/cron', 'shop/books', 'tcp', 8080), options, { inventory: model.inventory });
      assert.equal(decision.allowed, true);
      assert.match(decision.reasons.join('\n'), /directly, ztunnel: allowed.*\n.*waypoint.*allowed/);
    });

    test('the waypoint lists no port that would also admit one SMI does not grant, and says what that costs', async () => {
      const { modelOf, deploymentYaml } = await import('../support/policy.js');
      // Service api: 8080 → 9090 (not granted) and 80 → 8080 (granted): "8080" would mean 9090 if Istio compared Service ports.
      const model = modelOf(deploymentYaml('shop', 'api', 'api', [8080, 9090]) + deploymentYaml('shop', 'web', 'web', [80]) + `---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{name: http, port: 80, targetPort: 8080}, {name: http-admin, port: 8080, targetPort: 9090}]}
` + route('HTTPRouteGroup', 'all', '{matches: [{name: all, pathRegex: ".*"}]}') + route('TCPRoute', 'p8080', '{matches: {ports: [8080]}}') + `---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: web-api, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: api, namespace: shop}
  rules: [{kind: HTTPRouteGroup, name: all}, {kind: TCPRoute, name: p8080}]
  sources: [{kind: ServiceAccount, name: web, namespace: shop}]
`);
      const t = istio.translate(model, options);
      const narrowed = t.diagnostics.find((d) => d.code === 'ISTIO_WAYPOINT_PORTS_NARROWED');
      assert.equal(narrowed?.severity, 'error');
      assert.doesNotMatch(JSON.stringify(t.resources.find((r) => r.metadata.name === 'smi-api--waypoint')?.spec), /"8080"/);
    });

    test('a Service selecting two identities\' pods allows nothing at the waypoint; a destination without a Service loses its route-level grants; both said', async () => {
      const { modelOf, deploymentYaml } = await import('../support/policy.js');
      const model = modelOf(smallShop({ webService: false }) + deploymentYaml('shop', 'books-admin', 'admin', [8080]).replace(/app: books-admin/g, 'app: books') + reads
        + grantBooks('web-books', ['web'], '[{kind: HTTPRouteGroup, name: reads}]'));
      const t = istio.translate(model, options);
      assert.ok(t.diagnostics.some((d) => d.code === 'ISTIO_WAYPOINT_SERVICE_SHARED' && d.severity === 'error' && /Service shop\/books selects pods of shop\/admin, shop\/books/.test(d.message)), JSON.stringify(t.diagnostics));
      assert.deepEqual(t.resources.find((r) => r.metadata.name === 'smi-books--waypoint')?.spec, { targetRefs: [{ kind: 'Service', group: '', name: 'books' }], action: 'ALLOW' });
      assert.ok(t.diagnostics.some((d) => d.code === 'ISTIO_WAYPOINT_NO_SERVICE' && /shop\/books has route-level grants/.test(d.message)), JSON.stringify(t.diagnostics.map((d) => d.code)));
    });

    test('the waypoint denies by default: a Service no policy names lets nothing through to pods whose ztunnel admits the waypoint', async () => {
      const { httpRequest } = await import('../support/policy.js');
      // books-all: a second Service on books' pods, and "orphan": a Service that selects nothing smi knows (endpoints kept by hand).
      const model = await shop(`---
apiVersion: v1
kind: Service
metadata: {name: orphan, namespace: shop}
spec: {selector: {app: nothing-here}, ports: [{port: 8080}]}
`);
      const t = istio.translate(model, options);
      assert.deepEqual(t.resources.find((r) => r.metadata.name === 'smi--waypoint-deny-by-default')?.spec, { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'smi-waypoint' }], action: 'ALLOW' });
      // Were the orphan's endpoints books' pods, a request through it meets only the waypoint-wide policy: denied.
      const books = model.inventory.workloads.find((w) => w.name === 'books')!;
      const atOrphan = t.resources.filter((r) => r.kind !== 'AuthorizationPolicy' || (r.spec as { targetRefs?: { name: string }[] }).targetRefs?.[0]?.name !== 'books');
      assert.equal(istio.evaluateAccess(atOrphan, books, httpRequest('shop/web', 'shop/books', 'GET', '/books/1', { port: 8080 }), options, { inventory: model.inventory }).allowed, false, 'without its Service policy, the waypoint-wide deny decides');
    });

    test('a split through the waypoint: an HTTPRoute on the root Service, routed there; a root without pods takes its backends\' grants', async () => {
      const { httpRequest } = await import('../support/policy.js');
      const { httpParts } = await import('../../src/policy/request.js');
      const model = await shop(`---
apiVersion: v1
kind: Service
metadata: {name: books-root, namespace: shop}
spec: {selector: {app: no-pods}, ports: [{name: http, port: 8080}]}
---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {name: rollout, namespace: shop}
spec: {service: books-root, backends: [{service: books, weight: 3}, {service: cron, weight: 1}]}
---
apiVersion: v1
kind: Service
metadata: {name: cron, namespace: shop}
spec: {selector: {app: cron}, ports: [{name: http, port: 8080}]}
`);
      const t = istio.translate(model, options);
      assert.ok(t.resources.some((r) => r.kind === 'HTTPRoute' && r.apiVersion === 'gateway.networking.k8s.io/v1'), 'the split is a Gateway API route the waypoint carries');
      assert.equal(t.resources.some((r) => r.kind === 'VirtualService'), false);
      const routed = istio.evaluateRoute(t.resources, { service: { namespace: 'shop', name: 'books-root' }, port: 8080, protocol: 'http', http: httpParts('GET', '/', []) }, options);
      assert.deepEqual(Object.fromEntries(routed.backends.map((b) => [b.service, b.share])), { 'shop/books': 0.75, 'shop/cron': 0.25 });
      // The root splits to two identities' pods: one policy cannot hold both, so nothing passes through the root (said).
      assert.ok(t.diagnostics.some((d) => d.code === 'ISTIO_WAYPOINT_SERVICE_SHARED' && /books-root selects or splits to pods of shop\/books, shop\/cron/.test(d.message)));
      const books = model.inventory.workloads.find((w) => w.name === 'books')!;
      const through = istio.evaluateAccess(t.resources, books, httpRequest('shop/cron', 'shop/books', 'GET', '/books/1', { port: 8080 }), options, { inventory: model.inventory });
      assert.equal(through.allowed, false, through.reasons.join('\n'));
      assert.match(through.reasons.join('\n'), /for Service books-root: denied/);
    });

    test('with --fence networkpolicy: the waypoint\'s pods are let into the destinations on HBONE, and any pod into the waypoint', async () => {
      const t = TARGETS.istio!.translate(await shop(), { ...options, fence: 'networkpolicy' });
      const relay = t.resources.find((r) => r.kind === 'NetworkPolicy' && r.metadata.name === 'smi-fence--relay');
      assert.deepEqual(relay?.spec, { podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'smi-waypoint' } }, policyTypes: ['Ingress'], ingress: [{ ports: [15008, 15020, 15021, 15090].map((port) => ({ protocol: 'TCP', port })) }] });
      const books = t.resources.find((r) => r.kind === 'NetworkPolicy' && r.metadata.name === 'smi-fence-books');
      assert.ok(JSON.stringify(books?.spec).includes('{"from":[{"podSelector":{"matchLabels":{"gateway.networking.k8s.io/gateway-name":"smi-waypoint"}}}],"ports":[{"protocol":"TCP","port":15008}]}'), JSON.stringify(books?.spec));
    });

    test('workloads ztunnel does not capture: a Namespace in the input without istio.io/dataplane-mode=ambient, or a pod opted out — not enforced, and said', async () => {
      const { httpRequest, l4Request } = await import('../support/policy.js');
      const namespace = (labels: string) => `---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {${labels}}}\n`;
      const ask = async (labels: string) => {
        const model = await shop(namespace(labels));
        const t = istio.translate(model, options);
        const books = model.inventory.workloads.find((w) => w.name === 'books')!;
        return { t, thief: istio.evaluateAccess(t.resources, books, l4Request('shop/cron', 'shop/books', 'tcp', 8080), options, { inventory: model.inventory }), web: istio.evaluateAccess(t.resources, books, httpRequest('shop/web', 'shop/books', 'GET', '/books', { port: 8080 }), options, { inventory: model.inventory }) };
      };
      const enrolled = await ask('istio.io/dataplane-mode: ambient');
      assert.deepEqual([enrolled.thief.allowed, enrolled.thief.enforced, enrolled.web.allowed], [false, true, true]);
      assert.equal(enrolled.t.diagnostics.some((d) => d.code === 'ISTIO_AMBIENT_NOT_ENFORCED'), false);
      const outside = await ask('team: books');
      assert.deepEqual([outside.thief.allowed, outside.thief.enforced], [true, false]);
      assert.match(outside.thief.reasons.join(' '), /not enrolled in ambient/);
      assert.ok(outside.t.diagnostics.some((d) => d.code === 'ISTIO_AMBIENT_NOT_ENFORCED' && /namespace shop: .*Deployment\/books \(shop\/books\)/.test(d.message)));
    });

    test('the waypoint\'s identity taken (a workload runs as it, or the SMI objects name it): no waypoint there, and ztunnel admits no one in its name', async () => {
      const { deploymentYaml, l4Request } = await import('../support/policy.js');
      for (const extra of [deploymentYaml('shop', 'sneaky', 'smi-waypoint', [80]), grantBooks('named', ['smi-waypoint'], '[{kind: HTTPRouteGroup, name: reads}]')]) {
        const model = await shop(extra);
        const t = istio.translate(model, options);
        assert.equal(t.resources.some((r) => r.kind === 'Gateway' || r.kind === 'Namespace'), false, 'no waypoint, no label');
        assert.doesNotMatch(JSON.stringify(t.resources), /sa\/smi-waypoint"/, 'nothing admits the waypoint principal');
        assert.ok(t.diagnostics.some((d) => d.code === 'ISTIO_AMBIENT_NEEDS_WAYPOINT' && d.severity === 'error' && /no waypoint in shop: .*smi-waypoint/.test(d.message)), JSON.stringify(t.diagnostics.map((d) => d.message)));
        const books = model.inventory.workloads.find((w) => w.name === 'books')!;
        assert.equal(istio.evaluateAccess(t.resources, books, l4Request('shop/smi-waypoint', 'shop/books', 'tcp', 8080), options, { inventory: model.inventory }).allowed, false);
      }
    });

    test('--istio-waypoint NAME uses the user\'s waypoint: no Gateway written, the label and ztunnel name theirs', async () => {
      const t = istio.translate(await shop(), { ...options, istioWaypoint: 'mesh-waypoint' });
      assert.equal(t.resources.some((r) => r.kind === 'Gateway'), false);
      assert.equal(t.resources.find((r) => r.kind === 'Namespace')?.metadata.labels?.['istio.io/use-waypoint'], 'mesh-waypoint');
      assert.match(JSON.stringify(t.resources.find((r) => r.metadata.name === 'smi-books')?.spec), /cluster.local\/ns\/shop\/sa\/mesh-waypoint/);
    });
  });

  test('a policy with HTTP fields enforced by ztunnel never matches (Istio\'s fail-safe for ALLOW)', async () => {
    const { httpRequest } = await import('../support/policy.js');
    const resources = [{ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'books' } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }], to: [{ operation: { methods: ['GET'] } }] }] } }];
    const books = { kind: 'Deployment', namespace: 'shop', name: 'books', labels: { app: 'books' }, serviceAccount: 'books', ports: [{ port: 8080, protocol: 'TCP' }] };
    const request = httpRequest('shop/web', 'shop/books', 'GET', '/', { port: 8080 });
    assert.equal(istio.evaluateAccess(resources, books, request, DEFAULT_OPTIONS).allowed, true, 'a sidecar matches the method');
    assert.equal(istio.evaluateAccess(resources, books, request, options).allowed, false, 'ztunnel cannot: the rule is dropped');
  });
});
