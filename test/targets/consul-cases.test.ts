/**
 * Named cases for the Consul target: the config entries written for typical SMI and what Consul
 * then decides. The random equivalence tests prove soundness; these pin down the shapes.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { consul } from '../../src/targets/consul/index.js';
import { DEFAULT_OPTIONS, type MeshResource } from '../../src/targets/target.js';
import { httpParts } from '../../src/policy/request.js';
import { CrdSchemas } from '../support/crd-schemas.js';
import { deploymentYaml, httpRequest, l4Request, modelOf, serviceYaml } from '../support/policy.js';
import { grantBooks, route, smallShop } from '../conformance/shop.js';

const schemas = new CrdSchemas('crds/consul');
const mirror = { ...DEFAULT_OPTIONS, consulNamespaces: 'mirror' as const };
const byKind = (resources: readonly MeshResource[], kind: string) => resources.filter((r) => r.kind === kind);
const service = serviceYaml;

const inventory = smallShop();
const routes = route('HTTPRouteGroup', 'books-routes', `
  matches:
  - {name: list, methods: [GET], pathRegex: /books}
  - {name: versioned, pathRegex: '/v[0-9]+/books', headers: {x-user: 'a|b'}}
  - {name: health, methods: [GET], pathRegex: /healthz$}`);
const grant = (matches: string[]) => grantBooks('web-to-books', ['web'], `[{kind: HTTPRouteGroup, name: books-routes, matches: [${matches.join(', ')}]}]`);

describe('Consul: named cases', () => {
  test('HTTP rules become L7 permissions closed by a deny, then "*" deny; strict adds "*" → "*" deny', () => {
    const { resources, diagnostics } = consul.translate(modelOf(inventory + routes + grant(['list', 'versioned', 'health'])), mirror);
    for (const r of resources) assert.deepEqual(schemas.problems(r), [], r.kind);
    const intentions = byKind(resources, 'ServiceIntentions');
    const books = intentions.find((r) => r.metadata.name === 'smi-books');
    assert.deepEqual(books?.spec, {
      destination: { name: 'books', namespace: 'shop' },
      sources: [
        {
          name: 'web', namespace: 'shop',
          permissions: [
            { action: 'allow', http: { pathExact: '/healthz', methods: ['GET'] } },
            { action: 'allow', http: { pathPrefix: '/books', methods: ['GET'] } },
            { action: 'allow', http: { pathRegex: '(?:/v[0-9]+/books).*', header: [{ name: 'x-user', regex: '(?:a|b).*' }] } },
            { action: 'deny', http: { pathPrefix: '/' } },
          ],
        },
        { name: '*', namespace: '*', action: 'deny' },
      ],
    });
    assert.deepEqual(intentions.find((r) => r.metadata.name === 'smi--deny-by-default')?.spec, { destination: { name: '*', namespace: 'shop' }, sources: [{ name: '*', namespace: '*', action: 'deny' }] });
    assert.deepEqual(byKind(resources, 'ServiceDefaults').map((r) => [r.metadata.name, r.spec]), [['books', { protocol: 'http' }]]);
    assert.ok(diagnostics.some((d) => d.code === 'CONSUL_SERVICE_HTTP_ONLY' && d.message.includes('(shop/books)')));

    const pod = { kind: 'Deployment', namespace: 'shop', name: 'books', labels: { app: 'books' }, serviceAccount: 'books', ports: [{ port: 8080, protocol: 'TCP' }] };
    const ask = (from: string, method: string, path: string, headers: Record<string, string> = {}) => consul.evaluateAccess(resources, pod, httpRequest(from, 'shop/books', method, path, { port: 8080, headers }), mirror).allowed;
    assert.equal(ask('shop/web', 'GET', '/books/1'), true);
    assert.equal(ask('shop/web', 'POST', '/books/1'), false, 'method not granted');
    assert.equal(ask('shop/web', 'POST', '/v2/books', { 'x-user': 'bob' }), true);
    assert.equal(ask('shop/web', 'POST', '/v2/books', { 'x-user': 'carol' }), false, 'header regex is anchored at the start: c… does not fit a|b');
    assert.equal(ask('shop/web', 'GET', '/healthz/x'), false, '$ makes it exact');
    assert.equal(ask('shop/other', 'GET', '/books'), false, 'other sources fall to "*" deny');
    assert.equal(ask('unauthenticated', 'GET', '/books'), false);
    assert.equal(consul.evaluateAccess(resources, pod, l4Request('shop/web', 'shop/books', 'tcp', 8080), mirror).allowed, false, 'raw TCP is not carried to an http service');
  });

  test('a TCP grant on the service port only is exact; on another port it is left out with an error', () => {
    const tcp = (port: number) => `
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: p, namespace: shop}
spec: {matches: {ports: [${port}]}}
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: t, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: books, namespace: shop}
  rules: [{kind: TCPRoute, name: p}]
  sources: [{kind: ServiceAccount, name: web, namespace: shop}]
`;
    const exact = consul.translate(modelOf(inventory + tcp(8080)), mirror);
    const books = byKind(exact.resources, 'ServiceIntentions').find((r) => r.metadata.name === 'smi-books');
    assert.deepEqual((books?.spec as { sources: unknown[] }).sources[0], { name: 'web', namespace: 'shop', action: 'allow' });
    assert.ok(!exact.diagnostics.some((d) => d.severity === 'error'));
    const other = consul.translate(modelOf(inventory + tcp(9090)), mirror);
    assert.ok(other.diagnostics.some((d) => d.code === 'CONSUL_PORTS_INEXPRESSIBLE' && d.severity === 'error'));
    assert.deepEqual((byKind(other.resources, 'ServiceIntentions').find((r) => r.metadata.name === 'smi-books')?.spec as { sources: unknown[] }).sources, [{ name: '*', namespace: '*', action: 'deny' }]);
  });

  test('without Consul namespaces, a ServiceAccount name used in two namespaces is never granted by name', () => {
    const text = inventory + deploymentYaml('other', 'web', 'web', [80]) + routes + grant(['list']);
    const { resources, diagnostics } = consul.translate(modelOf(text), DEFAULT_OPTIONS);
    assert.ok(diagnostics.some((d) => d.code === 'CONSUL_IDENTITY_AMBIGUOUS' && d.message.includes('other/web') && d.message.includes('shop/web')));
    const books = byKind(resources, 'ServiceIntentions').find((r) => r.metadata.name === 'smi-books');
    assert.deepEqual(books?.spec, { destination: { name: 'books' }, sources: [{ name: '*', action: 'deny' }] });
  });

  test('a Service named like a granted ServiceAccount but selecting other pods: that name is never granted (they would register under it)', () => {
    // Service "web" selects the books pods too: without ACLs those pods become Consul service "web".
    const impostor = `
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: books}, ports: [{port: 8080}]}
`;
    const text = deploymentYaml('shop', 'books', 'books', [8080]) + deploymentYaml('shop', 'web', 'web', [80]) + impostor + routes + grant(['list']);
    const { resources, diagnostics } = consul.translate(modelOf(text), mirror);
    assert.ok(diagnostics.some((d) => d.code === 'CONSUL_SERVICE_ACCOUNT_MISMATCH' && d.message.includes('shop/books')));
    assert.ok(diagnostics.some((d) => d.code === 'CONSUL_IDENTITY_AMBIGUOUS' && d.severity === 'error'));
    const books = byKind(resources, 'ServiceIntentions').find((r) => r.metadata.name === 'smi-books');
    assert.ok(!JSON.stringify(books?.spec).includes('"web"'), 'no intention names "web"');
  });

  test('a split with matches: router on the root → splitter on <root>--split; unmatched stays on the root; weights to 0.01%', () => {
    const text = service('shop', 'site', 80) + service('shop', 'site-a', 80) + service('shop', 'site-b', 80) + `
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: beta, namespace: shop}
spec: {matches: [{name: beta-users, headers: {cookie: '.*beta=1.*'}}]}
---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {name: site, namespace: shop}
spec:
  service: site
  matches: [{kind: HTTPRouteGroup, name: beta}]
  backends: [{service: site-a, weight: 1}, {service: site-b, weight: 2}]
`;
    const { resources, diagnostics } = consul.translate(modelOf(text, 'permissive'), mirror);
    for (const r of resources) assert.deepEqual(schemas.problems(r), [], r.kind);
    assert.deepEqual(byKind(resources, 'ServiceRouter')[0]?.spec, {
      routes: [{ match: { http: { header: [{ name: 'cookie', regex: '(?:.*beta=1.*).*' }] } }, destination: { service: 'site--split', namespace: 'shop' } }],
    });
    const splitter = byKind(resources, 'ServiceSplitter')[0]!;
    assert.equal(splitter.metadata.name, 'site--split');
    assert.deepEqual(splitter.spec, { splits: [{ weight: 33.33, service: 'site-a', namespace: 'shop' }, { weight: 66.67, service: 'site-b', namespace: 'shop' }] });
    assert.ok(diagnostics.some((d) => d.code === 'CONSUL_WEIGHT_ROUNDED'));
    assert.deepEqual(byKind(resources, 'ServiceDefaults').map((r) => r.metadata.name), ['site', 'site--split', 'site-a', 'site-b']);
    const go = (headers: Record<string, string>) => consul.evaluateRoute(resources, { service: { namespace: 'shop', name: 'site' }, port: 80, protocol: 'http', http: httpParts('GET', '/', Object.entries(headers)) }, mirror).backends.map((b) => ({ ...b, share: Number(b.share.toFixed(6)) }));
    assert.deepEqual(go({ cookie: 'a=1; beta=1' }), [{ service: 'shop/site-a', share: 0.3333 }, { service: 'shop/site-b', share: 0.6667 }]);
    assert.deepEqual(go({}), [{ service: 'shop/site', share: 1 }]);
  });

  test('a backend that is itself split is reached through a resolver subset of all its instances, not split again', () => {
    const split = (name: string, backends: string) => `
---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {name: ${name}, namespace: shop}
spec: {service: ${name}, backends: [${backends}]}
`;
    const text = ['a', 'b', 'c'].map((n) => service('shop', n, 80)).join('') + split('a', '{service: b, weight: 1}, {service: c, weight: 1}') + split('b', '{service: c, weight: 1}');
    const { resources } = consul.translate(modelOf(text, 'permissive'), mirror);
    for (const r of resources) assert.deepEqual(schemas.problems(r), [], r.kind);
    assert.deepEqual(byKind(resources, 'ServiceResolver').map((r) => [r.metadata.name, r.spec]), [['b', { subsets: { 'smi-all': { filter: '' } } }]]);
    const routeTo = (name: string) => consul.evaluateRoute(resources, { service: { namespace: 'shop', name }, port: 80, protocol: 'http', http: httpParts('GET', '/', []) }, mirror).backends;
    assert.deepEqual(routeTo('a'), [{ service: 'shop/b', share: 0.5 }, { service: 'shop/c', share: 0.5 }]);
    assert.deepEqual(routeTo('b'), [{ service: 'shop/c', share: 1 }]);
  });
});
