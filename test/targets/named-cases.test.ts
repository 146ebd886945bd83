/**
 * Named cases for the Linkerd and Gateway API targets: what is written for typical SMI, and what the
 * mesh then decides — the random equivalence tests prove soundness, these pin down the shapes.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { linkerd } from '../../src/targets/linkerd/index.js';
import { gatewayApi } from '../../src/targets/gateway-api/index.js';
import { DEFAULT_OPTIONS, type MeshResource } from '../../src/targets/target.js';
import { pickRule } from '../../src/targets/gateway/route-match.js';
import type { HTTPRouteMatch, HTTPRouteSpec } from '../../src/targets/gateway/types.js';
import type { ResourceOf } from '../../src/targets/resource-kind.js';
import { derivedName, resourceName } from '../../src/targets/naming.js';
import { httpParts } from '../../src/policy/request.js';
import type { Workload } from '../../src/policy/model.js';
import { httpRequest, l4Request, modelOf } from '../support/policy.js';
import { grantBooks, route, smallShop } from '../conformance/shop.js';

// The one-version shop (test/conformance/shop.ts) with the routes these cases grant by.
const inventory = smallShop();
const routes = route('HTTPRouteGroup', 'books-routes', `
  matches:
  - {name: list, methods: [GET], pathRegex: /books}
  - {name: all-books, pathRegex: /books}
  - {name: health, methods: [GET], pathRegex: /healthz$}`) + route('TCPRoute', 'any-port', '{}');
const target = grantBooks;

const options = { ...DEFAULT_OPTIONS, linkerdDefaultPolicy: 'deny' as const };
const booksPod = (model: ReturnType<typeof modelOf>): Workload => model.inventory.workloads.find((w) => w.name === 'books')!;
const byKind = (resources: readonly MeshResource[], kind: string) => resources.filter((r) => r.kind === kind);

describe('Linkerd: named cases', () => {
  test('an HTTP grant becomes Server + HTTPRoute + AuthorizationPolicy + MeshTLSAuthentication with the Linkerd identity', () => {
    const model = modelOf(inventory + routes + target('web-reads', ['web'], '[{kind: HTTPRouteGroup, name: books-routes, matches: [list]}]'));
    const { resources } = linkerd.translate(model, options);
    const [server] = byKind(resources, 'Server');
    assert.deepEqual(server?.spec, { podSelector: { matchLabels: { app: 'books' } }, port: 8080, proxyProtocol: 'unknown', accessPolicy: 'deny' });
    const [route] = byKind(resources, 'HTTPRoute');
    assert.equal(route?.apiVersion, 'policy.linkerd.io/v1beta3');
    assert.deepEqual(route?.spec, {
      parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: server!.metadata.name }],
      rules: [{ matches: [{ path: { type: 'RegularExpression', value: '^(?:/books).*$' }, method: 'GET' }] }],
    });
    const [authn] = byKind(resources, 'MeshTLSAuthentication');
    assert.deepEqual(authn?.spec, { identities: ['web.shop.serviceaccount.identity.linkerd.cluster.local'] });
    const [policy] = byKind(resources, 'AuthorizationPolicy');
    assert.deepEqual((policy?.spec as { targetRef: unknown }).targetRef, { group: 'policy.linkerd.io', kind: 'HTTPRoute', name: route!.metadata.name });
    assert.equal(route?.metadata.annotations?.['smi-spec.io/source'], 'TrafficTarget/shop/web-reads');

    const pod = booksPod(model);
    const decide = (r: Parameters<typeof linkerd.evaluateAccess>[2]) => linkerd.evaluateAccess(resources, pod, r, options).allowed;
    assert.equal(decide(httpRequest('shop/web', 'shop/books', 'GET', '/books/1', { port: 8080 })), true);
    assert.equal(decide(httpRequest('shop/web', 'shop/books', 'POST', '/books/1', { port: 8080 })), false, 'method not granted');
    assert.equal(decide(httpRequest('shop/web', 'shop/books', 'GET', '/authors', { port: 8080 })), false, 'no route: 404');
    assert.equal(decide(httpRequest('shop/books', 'shop/books', 'GET', '/books', { port: 8080 })), false, 'other identity');
    assert.equal(decide(httpRequest('unauthenticated', 'shop/books', 'GET', '/books', { port: 8080 })), false, 'unauthenticated');
    assert.equal(decide(l4Request('shop/web', 'shop/books', 'tcp', 8080)), false, 'raw TCP next to HTTP rules');
  });

  test('an L4 grant authorizes the Server, and a catch-all route keeps its HTTP working beside HTTP routes', () => {
    const model = modelOf(inventory + routes + target('web-reads', ['web'], '[{kind: HTTPRouteGroup, name: books-routes, matches: [health]}]') + target('admin', ['books'], '[{kind: TCPRoute, name: any-port}]'));
    const { resources } = linkerd.translate(model, options);
    const serverPolicy = byKind(resources, 'AuthorizationPolicy').find((p) => (p.spec as { targetRef: { kind: string } }).targetRef.kind === 'Server');
    assert.ok(serverPolicy, 'Server-level policy for the TCPRoute grant');
    assert.ok(byKind(resources, 'HTTPRoute').some((r) => JSON.stringify(r.spec).includes('"PathPrefix"')), 'catch-all route');
    const pod = booksPod(model);
    const decide = (r: Parameters<typeof linkerd.evaluateAccess>[2]) => linkerd.evaluateAccess(resources, pod, r, options).allowed;
    assert.equal(decide(httpRequest('shop/books', 'shop/books', 'DELETE', '/anything', { port: 8080 })), true);
    assert.equal(decide(httpRequest('shop/books', 'shop/books', 'GET', '/healthz', { port: 8080 })), true, 'server-level policy covers routed requests too');
    assert.equal(decide(l4Request('shop/books', 'shop/books', 'tcp', 8080)), true);
    assert.equal(decide(httpRequest('shop/web', 'shop/books', 'GET', '/healthz', { port: 8080 })), true);
    assert.equal(decide(httpRequest('shop/web', 'shop/books', 'GET', '/other', { port: 8080 })), false);
  });

  test('a route covered by a broader match gets its sources too; overlaps that still differ are reported', () => {
    const model = modelOf(inventory + routes +
      target('web-reads', ['web'], '[{kind: HTTPRouteGroup, name: books-routes, matches: [list]}]') +
      target('books-all', ['books'], '[{kind: HTTPRouteGroup, name: books-routes, matches: [all-books]}]'));
    const { resources, diagnostics } = linkerd.translate(model, options);
    const listAuthn = byKind(resources, 'MeshTLSAuthentication').find((a) => a.metadata.name.includes('list'));
    // GET /books… is picked by the more specific `list` route: it must also admit the sources of `all-books`.
    assert.deepEqual((listAuthn?.spec as { identities: string[] }).identities, ['books.shop.serviceaccount.identity.linkerd.cluster.local', 'web.shop.serviceaccount.identity.linkerd.cluster.local']);
    const pod = booksPod(model);
    assert.equal(linkerd.evaluateAccess(resources, pod, httpRequest('shop/books', 'shop/books', 'GET', '/books', { port: 8080 }), options).allowed, true);
    assert.equal(linkerd.evaluateAccess(resources, pod, httpRequest('shop/web', 'shop/books', 'POST', '/books', { port: 8080 }), options).allowed, false);
    // list ⊂ all-books, but web (list only) ≠ books+web: the pair may overlap with different sources.
    assert.ok(diagnostics.some((d) => d.code === 'LINKERD_ROUTE_OVERLAP' && d.message.includes('shop/books')));
  });

  test('strict mode: every workload gets deny Servers; the default inbound policy must be deny, or it is an error', () => {
    const model = modelOf(inventory + routes);
    const unknown = linkerd.translate(model, DEFAULT_OPTIONS);
    assert.deepEqual(byKind(unknown.resources, 'Server').map((s) => `${s.metadata.name}:${(s.spec as { port: number }).port}`), ['smi-books--p8080:8080', 'smi-web--p80:80']);
    assert.ok(unknown.diagnostics.some((d) => d.code === 'LINKERD_DEFAULT_POLICY_NOT_ENFORCED' && d.severity === 'error' && d.message.includes('default-inbound-policy: deny')));
    const known = linkerd.translate(model, options);
    assert.ok(!known.diagnostics.some((d) => d.code === 'LINKERD_DEFAULT_POLICY_NOT_ENFORCED'));
    const web = model.inventory.workloads.find((w) => w.name === 'web')!;
    assert.equal(linkerd.evaluateAccess(known.resources, web, httpRequest('shop/books', 'shop/web', 'GET', '/', { port: 80 }), options).allowed, false);
    const noPort = linkerd.evaluateAccess(known.resources, web, httpRequest('shop/books', 'shop/web', 'GET', '/'), options);
    assert.match(noPort.unanswerable ?? '', /per destination port/);
  });

  test('permissive mode writes no policy', () => {
    const model = modelOf(inventory + routes + target('web-reads', ['web'], '[{kind: HTTPRouteGroup, name: books-routes}]'), 'permissive');
    assert.equal(linkerd.translate(model, options).resources.length, 0);
  });
});

const services = `
apiVersion: v1
kind: Service
metadata: {name: books, namespace: shop}
spec: {selector: {app: books}, ports: [{name: http, port: 80}, {name: admin, port: 9000}]}
---
apiVersion: v1
kind: Service
metadata: {name: books-v1, namespace: shop}
spec: {selector: {app: books}, ports: [{name: http, port: 80}, {name: admin, port: 9000}]}
---
apiVersion: v1
kind: Service
metadata: {name: books-v2, namespace: shop}
spec: {selector: {app: books}, ports: [{name: http, port: 80}]}
`;

const split = (matches: boolean) => `
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: canary-users, namespace: shop}
spec:
  matches:
  - name: beta
    headers: {x-beta: "yes"}
---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {name: books-split, namespace: shop}
spec:
  service: books
  ${matches ? 'matches: [{kind: HTTPRouteGroup, name: canary-users}]' : ''}
  backends: [{service: books-v1, weight: 900}, {service: books-v2, weight: 100}]
`;

describe('Gateway API: named cases', () => {
  const permissive = (text: string) => modelOf(text, 'permissive');

  test('a split becomes per-port HTTPRoutes and TCPRoutes on the root Service; a backend without the port gets nothing', () => {
    const { resources, diagnostics } = gatewayApi.translate(permissive(services + split(false)), DEFAULT_OPTIONS);
    assert.deepEqual(diagnostics, []);
    const http = byKind(resources, 'HTTPRoute');
    assert.deepEqual(http.map((r) => r.metadata.name), ['smi-books-split-80', 'smi-books-split-9000']);
    assert.deepEqual(http[0]?.spec, {
      parentRefs: [{ group: '', kind: 'Service', name: 'books', port: 80 }],
      rules: [{ backendRefs: [{ name: 'books-v1', port: 80, weight: 900 }, { name: 'books-v2', port: 80, weight: 100 }] }],
    });
    assert.deepEqual((http[1]?.spec as { rules: unknown[] }).rules, [{ backendRefs: [{ name: 'books-v1', port: 9000, weight: 900 }] }]);
    assert.deepEqual(byKind(resources, 'TCPRoute').map((r) => r.apiVersion), ['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1']);
    const route = gatewayApi.evaluateRoute(resources, { service: { namespace: 'shop', name: 'books' }, port: 80, protocol: 'http', http: httpParts('GET', '/', []) }, DEFAULT_OPTIONS);
    assert.deepEqual(route.backends, [{ service: 'shop/books-v1', share: 0.9 }, { service: 'shop/books-v2', share: 0.1 }]);
  });

  test('matches: matching requests split, the rest go to the root Service through a catch-all rule', () => {
    const { resources } = gatewayApi.translate(permissive(services + split(true)), DEFAULT_OPTIONS);
    const route80 = byKind(resources, 'HTTPRoute').find((r) => r.metadata.name === 'smi-books-split-80')!;
    assert.deepEqual((route80.spec as { rules: unknown[] }).rules.at(-1), { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'books', port: 80 }] });
    assert.equal(byKind(resources, 'TCPRoute').length, 0, 'with matches, raw TCP stays with the root');
    const to = (headers: [string, string][]) => gatewayApi.evaluateRoute(resources, { service: { namespace: 'shop', name: 'books' }, port: 80, protocol: 'http', http: httpParts('GET', '/x', headers) }, DEFAULT_OPTIONS).backends;
    assert.deepEqual(to([['x-beta', 'yes']]).map((b) => b.service), ['shop/books-v1', 'shop/books-v2']);
    assert.deepEqual(to([['x-beta', 'no']]), [{ service: 'shop/books', share: 1 }]);
  });

  test('a split whose root Service is not in the input is an error, not a guess', () => {
    const { resources, diagnostics } = gatewayApi.translate(permissive(split(false).replace(/^\n---/, '')), DEFAULT_OPTIONS);
    assert.equal(resources.length, 0);
    assert.ok(diagnostics.some((d) => d.code === 'GATEWAY_SPLIT_NOT_EXPRESSED' && d.severity === 'error' && d.object === 'TrafficSplit/shop/books-split'));
  });

  test('without --authz, TrafficTargets are an error; with it, that mesh\'s resources are written', () => {
    const model = modelOf(inventory + routes + target('web-reads', ['web'], '[{kind: HTTPRouteGroup, name: books-routes}]'));
    assert.ok(gatewayApi.translate(model, DEFAULT_OPTIONS).diagnostics.some((d) => d.code === 'GATEWAY_AUTHZ_NOT_ENFORCED' && d.severity === 'error'));
    const istio = gatewayApi.translate(model, { ...DEFAULT_OPTIONS, authz: 'istio' }).resources;
    assert.ok(istio.some((r) => r.kind === 'AuthorizationPolicy' && r.apiVersion === 'security.istio.io/v1' && r.metadata.labels?.['smi-spec.io/mesh'] === 'gateway-api'));
    const linkerdOut = gatewayApi.translate(model, { ...DEFAULT_OPTIONS, authz: 'linkerd' }).resources;
    assert.ok(linkerdOut.some((r) => r.kind === 'Server'));
  });

  test('rule precedence follows the Gateway API spec', () => {
    const route = (name: string, matches: HTTPRouteMatch[]): ResourceOf<HTTPRouteSpec> => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace: 'n' }, spec: { rules: [{ matches }] } });
    const routesList = [
      route('a-prefix', [{ path: { type: 'PathPrefix', value: '/api' } }]),
      route('b-longer', [{ path: { type: 'PathPrefix', value: '/api/v1/' } }]),
      route('c-exact', [{ path: { type: 'Exact', value: '/api/v1/x' } }]),
      route('d-regex', [{ path: { type: 'RegularExpression', value: '^(?:/api/v1/).*$' } }]),
      route('e-method', [{ path: { type: 'PathPrefix', value: '/api' }, method: 'POST' }]),
      route('f-headers', [{ path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'X-A', value: '1' }] }]),
    ];
    const pick = (method: string, path: string, headers: [string, string][] = []) => pickRule(routesList, httpParts(method, path, headers))?.route.metadata.name;
    assert.equal(pick('GET', '/api/v1/x'), 'c-exact');
    assert.equal(pick('GET', '/api/v1/y'), 'd-regex', 'regex ranks above prefixes');
    assert.equal(pick('GET', '/api/v1'), 'b-longer', 'element-wise: /api/v1/ matches /api/v1, trailing slash ignored');
    assert.equal(pick('GET', '/apix'), undefined, 'element-wise: /api does not match /apix');
    assert.equal(pick('POST', '/api/z'), 'e-method');
    assert.equal(pick('GET', '/api/z', [['x-a', '1']]), 'f-headers', 'header names are case-insensitive');
    assert.equal(pick('GET', '/api/z'), 'a-prefix');
  });
});

describe('generated names', () => {
  test('names derived for generated parts never collide with names derived from ServiceAccounts', () => {
    assert.notEqual(resourceName('smi', 'x-locked-0'), derivedName(resourceName('smi', 'x'), 'locked-0'));
    assert.notEqual(resourceName('smi', 'deny-by-default'), 'smi--deny-by-default');
    assert.ok(!resourceName('smi', 'a--b', 'c---d').includes('--'));
  });

  test('long names stay valid DNS-1123 labels, distinct and stable', () => {
    const long = resourceName('smi', 'a'.repeat(80));
    const a = derivedName(long, 'locked-0');
    const b = derivedName(long, 'locked-1');
    for (const n of [a, b]) assert.match(n, /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    assert.notEqual(a, b);
    assert.equal(a, derivedName(long, 'locked-0'));
  });
});
