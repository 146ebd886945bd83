/**
 * Named cases for the App Mesh target: the resources written for typical SMI and what App Mesh then
 * decides. The random equivalence tests prove soundness; these pin down the shapes.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { appmesh } from '../../src/targets/appmesh/index.js';
import { DEFAULT_OPTIONS, type MeshResource } from '../../src/targets/target.js';
import { httpParts } from '../../src/policy/request.js';
import { CrdSchemas } from '../support/crd-schemas.js';
import { deploymentYaml, httpRequest, l4Request, modelOf, serviceYaml } from '../support/policy.js';
import { grantBooks, route, smallShop } from '../conformance/shop.js';

const schemas = new CrdSchemas('crds/appmesh');
const named = (resources: readonly MeshResource[], kind: string, name: string) => resources.find((r) => r.kind === kind && r.metadata.name === name);
const service = serviceYaml;
const inventory = smallShop({ cron: true, webService: false });
const rules = route('HTTPRouteGroup', 'routes', `
  matches:
  - {name: everything}
  - {name: reads, methods: [GET], pathRegex: /books}`) + route('TCPRoute', 'tcp', '{}');
const grant = (name: string, from: string, rule: string) => grantBooks(name, [from], `[${rule}]`);
const booksPod = { kind: 'Deployment', namespace: 'shop', name: 'books', labels: { app: 'books' }, serviceAccount: 'books', ports: [{ port: 8080, protocol: 'TCP' }] };

describe('App Mesh: named cases', () => {
  test('a catch-all HTTP grant is an http listener accepting the source SAN; the client lists the Service as backend', () => {
    const { resources, diagnostics } = appmesh.translate(modelOf(inventory + rules + grant('t', 'web', '{kind: HTTPRouteGroup, name: routes, matches: [everything]}')), DEFAULT_OPTIONS);
    for (const r of resources) assert.deepEqual(schemas.problems(r), [], r.kind);
    const books = named(resources, 'VirtualNode', 'smi-books')?.spec as { listeners: unknown[]; podSelector: unknown };
    assert.deepEqual(books.podSelector, { matchLabels: { app: 'books' } });
    assert.deepEqual(books.listeners, [{
      portMapping: { port: 8080, protocol: 'http' },
      tls: {
        mode: 'STRICT', certificate: { sds: { secretName: 'spiffe://cluster.local/ns/shop/sa/books' } },
        validation: { trust: { sds: { secretName: 'spiffe://cluster.local' } }, subjectAlternativeNames: { match: { exact: ['spiffe://cluster.local/ns/shop/sa/web'] } } },
      },
    }]);
    assert.deepEqual((named(resources, 'VirtualNode', 'smi-web')?.spec as { backends: unknown }).backends, [{ virtualService: { virtualServiceRef: { name: 'books', namespace: 'shop' } } }]);
    assert.equal((named(resources, 'VirtualNode', 'smi-cron')?.spec as { backends?: unknown }).backends, undefined, 'granted nothing, calls nothing through the mesh');
    assert.deepEqual(named(resources, 'VirtualService', 'books')?.spec, { awsName: 'books.shop.svc.cluster.local', provider: { virtualNode: { virtualNodeRef: { name: 'books--service', namespace: 'shop' } } } });
    assert.ok(!diagnostics.some((d) => d.severity === 'error'), JSON.stringify(diagnostics));
    const ask = (from: string, protocol: 'http' | 'tcp') =>
      appmesh.evaluateAccess(resources, booksPod, protocol === 'http' ? httpRequest(from, 'shop/books', 'DELETE', '/x', { port: 8080 }) : l4Request(from, 'shop/books', 'tcp', 8080), DEFAULT_OPTIONS).allowed;
    assert.equal(ask('shop/web', 'http'), true);
    assert.equal(ask('shop/web', 'tcp'), false, 'an HTTP grant does not grant raw TCP: the listener speaks http');
    assert.equal(ask('shop/cron', 'http'), false);
    assert.equal(ask('unauthenticated', 'http'), false);
  });

  test('route-level HTTP rules are left out with an error; the listener then accepts nobody', () => {
    const { resources, diagnostics } = appmesh.translate(modelOf(inventory + rules + grant('t', 'web', '{kind: HTTPRouteGroup, name: routes, matches: [reads]}')), DEFAULT_OPTIONS);
    assert.ok(diagnostics.some((d) => d.code === 'APPMESH_ROUTE_RULES_NARROWED' && d.severity === 'error' && d.message.includes('shop/books')));
    const l = (named(resources, 'VirtualNode', 'smi-books')?.spec as { listeners: { tls: { validation: { subjectAlternativeNames: { match: { exact: string[] } } } } }[] }).listeners[0]!;
    assert.deepEqual(l.tls.validation.subjectAlternativeNames.match.exact, ['spiffe://cluster.local/smi/allow-nothing']);
    assert.equal(appmesh.evaluateAccess(resources, booksPod, httpRequest('shop/web', 'shop/books', 'GET', '/books', { port: 8080 }), DEFAULT_OPTIONS).allowed, false);
  });

  test('a TCP grant is a tcp listener: HTTP and TCP from the source pass, on declared ports only', () => {
    const { resources } = appmesh.translate(modelOf(inventory + rules + grant('t', 'web', '{kind: TCPRoute, name: tcp}')), DEFAULT_OPTIONS);
    const ask = (protocol: 'http' | 'tcp', port: number) =>
      appmesh.evaluateAccess(resources, booksPod, protocol === 'http' ? httpRequest('shop/web', 'shop/books', 'GET', '/', { port }) : l4Request('shop/web', 'shop/books', 'tcp', port), DEFAULT_OPTIONS);
    assert.equal(ask('http', 8080).allowed, true);
    assert.equal(ask('tcp', 8080).allowed, true);
    assert.equal(ask('tcp', 9000).enforced, false, 'an undeclared port bypasses the proxy');
  });

  test('pods that declare no port get listeners on their Services\' target ports (derived, so the grant is enforced there rather than bypassed)', () => {
    const bare = deploymentYaml('shop', 'books', 'books', []) + deploymentYaml('shop', 'web', 'web', [80]) + `---
apiVersion: v1
kind: Service
metadata: {name: books, namespace: shop}
spec: {selector: {app: books}, ports: [{port: 80, targetPort: 8080}, {port: 81, targetPort: named}]}
`;
    const { resources } = appmesh.translate(modelOf(bare + rules + grant('t', 'web', '{kind: TCPRoute, name: tcp}')), DEFAULT_OPTIONS);
    const books = named(resources, 'VirtualNode', 'smi-books')?.spec as { listeners: { portMapping: { port: number } }[] };
    assert.deepEqual(books.listeners.map((l) => l.portMapping.port), [8080], 'the numeric target port; a named one resolves through declared ports only');
    const pod = { ...booksPod, ports: [] };
    const ask = (from: string) => appmesh.evaluateAccess(resources, pod, l4Request(from, 'shop/books', 'tcp', 8080), DEFAULT_OPTIONS);
    assert.deepEqual([ask('shop/web').allowed, ask('shop/web').enforced], [true, true]);
    assert.deepEqual([ask('shop/cron').allowed, ask('shop/cron').enforced], [false, true], 'before: no listener, so the proxy was bypassed and nothing was enforced');
  });

  test('splits: tcpRoute with weights for a plain split; http routes by priority with a catch-all to the root for matches', () => {
    const text = service('shop', 'site', 80) + service('shop', 'site-a', 80) + service('shop', 'site-b', 80) + service('shop', 'api', 80) + service('shop', 'api-v2', 80) + `
---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {name: site, namespace: shop}
spec: {service: site, backends: [{service: site-a, weight: 3}, {service: site-b, weight: 1}]}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: beta, namespace: shop}
spec: {matches: [{name: beta, methods: [GET, POST], headers: {x-beta: '1'}}]}
---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {name: api, namespace: shop}
spec: {service: api, matches: [{kind: HTTPRouteGroup, name: beta}], backends: [{service: api-v2, weight: 1}]}
`;
    const { resources, diagnostics } = appmesh.translate(modelOf(text, 'permissive'), DEFAULT_OPTIONS);
    for (const r of resources) assert.deepEqual(schemas.problems(r), [], r.kind);
    assert.deepEqual(named(resources, 'VirtualRouter', 'site--router')?.spec, {
      listeners: [{ portMapping: { port: 80, protocol: 'tcp' } }],
      routes: [{ name: 'p80', tcpRoute: { match: { port: 80 }, action: { weightedTargets: [
        { virtualNodeRef: { name: 'site-a--service', namespace: 'shop' }, weight: 3, port: 80 },
        { virtualNodeRef: { name: 'site-b--service', namespace: 'shop' }, weight: 1, port: 80 },
      ] } } }],
    });
    const api = named(resources, 'VirtualRouter', 'api--router')?.spec as { routes: { name: string; priority: number; httpRoute: { match: unknown } }[] };
    assert.deepEqual(api.routes.map((r) => [r.name, r.priority, r.httpRoute.match]), [
      ['p80-m0', 0, { prefix: '/', headers: [{ name: 'x-beta', match: { prefix: '1' } }], method: 'GET', port: 80 }],
      ['p80-m1', 1, { prefix: '/', headers: [{ name: 'x-beta', match: { prefix: '1' } }], method: 'POST', port: 80 }],
      ['p80-default', 1000, { prefix: '/', port: 80 }],
    ]);
    assert.ok(diagnostics.some((d) => d.code === 'APPMESH_SERVICE_HTTP_ONLY' && d.message.includes('(shop/api)')));
    const go = (name: string, headers: Record<string, string>, protocol: 'http' | 'tcp' = 'http') =>
      appmesh.evaluateRoute(resources, { service: { namespace: 'shop', name }, port: 80, protocol, ...(protocol === 'http' ? { http: httpParts('GET', '/', Object.entries(headers)) } : {}) }, DEFAULT_OPTIONS).backends;
    assert.deepEqual(go('site', {}), [{ service: 'shop/site-a', share: 0.75 }, { service: 'shop/site-b', share: 0.25 }]);
    assert.deepEqual(go('site', {}, 'tcp'), [{ service: 'shop/site-a', share: 0.75 }, { service: 'shop/site-b', share: 0.25 }], 'a TCP-level route splits raw TCP alike');
    assert.deepEqual(go('api', { 'x-beta': '1' }), [{ service: 'shop/api-v2', share: 1 }]);
    assert.deepEqual(go('api', {}), [{ service: 'shop/api', share: 1 }]);
    assert.deepEqual(go('api', {}, 'tcp'), [], 'raw TCP is not carried by an http listener');
  });
});
