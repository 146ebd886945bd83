/** The named conformance cases, in the shop world (shop.ts). Each registers itself. */
import { registerCase } from './catalogue.js';
import { grantBooks, route, SHOP } from './shop.js';
import { httpRequest, l4Request } from '../support/policy.js';
import { httpParts } from '../../src/policy/request.js';

registerCase({
  name: 'a TCPRoute grant admits its sources on its ports, TCP and HTTP alike',
  needs: ['l4-grant'],
  yaml: SHOP + route('TCPRoute', 'books-tcp', '{matches: {ports: [8080]}}') + grantBooks('web-tcp', ['web'], '[{kind: TCPRoute, name: books-tcp}]'),
  access: [
    [l4Request('shop/web', 'shop/books', 'tcp', 8080), true],
    [httpRequest('shop/web', 'shop/books', 'POST', '/anything', { port: 8080 }), true],
    [l4Request('shop/cron', 'shop/books', 'tcp', 8080), false],
    [httpRequest('unauthenticated', 'shop/books', 'GET', '/', { port: 8080 }), false],
  ],
});

registerCase({
  name: 'an HTTPRouteGroup grant admits its method and path prefix, nothing else of the sources and nothing of others',
  needs: ['http-route-grant'],
  yaml: SHOP + route('HTTPRouteGroup', 'books-reads', '{matches: [{name: reads, methods: [GET], pathRegex: /books}]}') + grantBooks('web-reads', ['web'], '[{kind: HTTPRouteGroup, name: books-reads}]'),
  access: [
    [httpRequest('shop/web', 'shop/books', 'GET', '/books/12', { port: 8080 }), true],
    [httpRequest('shop/web', 'shop/books', 'GET', '/books', { port: 8080 }), true],
    [httpRequest('shop/web', 'shop/books', 'POST', '/books', { port: 8080 }), false],
    [httpRequest('shop/web', 'shop/books', 'GET', '/authors', { port: 8080 }), false],
    [httpRequest('shop/cron', 'shop/books', 'GET', '/books', { port: 8080 }), false],
    [l4Request('shop/web', 'shop/books', 'tcp', 8080), false],
  ],
});

registerCase({
  name: 'a regex pathRegex admits exactly the paths it matches from the start',
  needs: ['http-route-grant', 'http-regex-path'],
  yaml: SHOP + route('HTTPRouteGroup', 'book-by-id', '{matches: [{name: by-id, methods: [GET], pathRegex: "/books/[0-9]+$"}]}') + grantBooks('web-by-id', ['web'], '[{kind: HTTPRouteGroup, name: book-by-id}]'),
  access: [
    [httpRequest('shop/web', 'shop/books', 'GET', '/books/12', { port: 8080 }), true],
    [httpRequest('shop/web', 'shop/books', 'GET', '/books/12/reviews', { port: 8080 }), false],
    [httpRequest('shop/web', 'shop/books', 'GET', '/books/twelve', { port: 8080 }), false],
  ],
});

registerCase({
  name: 'a header condition admits only requests whose header value matches',
  needs: ['http-route-grant', 'http-header-match'],
  yaml: SHOP + route('HTTPRouteGroup', 'admin-only', '{matches: [{name: admin, pathRegex: /admin, headers: {x-role: "admin-[a-z]+"}}]}') + grantBooks('web-admin', ['web'], '[{kind: HTTPRouteGroup, name: admin-only}]'),
  access: [
    [httpRequest('shop/web', 'shop/books', 'GET', '/admin', { port: 8080, headers: { 'x-role': 'admin-ops' } }), true],
    [httpRequest('shop/web', 'shop/books', 'GET', '/admin', { port: 8080, headers: { 'x-role': 'guest' } }), false],
    [httpRequest('shop/web', 'shop/books', 'GET', '/admin', { port: 8080 }), false],
  ],
});

registerCase({
  name: 'a UDPRoute grant admits UDP from its sources on its ports; UDP is denied elsewhere',
  needs: ['udp-grant'],
  yaml: SHOP + route('UDPRoute', 'books-dns', '{matches: {ports: [5353]}}') + grantBooks('web-dns', ['web'], '[{kind: UDPRoute, name: books-dns}]'),
  access: [
    [l4Request('shop/web', 'shop/books', 'udp', 5353), true],
    [l4Request('shop/cron', 'shop/books', 'udp', 5353), false],
  ],
});

registerCase({
  name: 'a TrafficSplit shares the root Service\'s traffic by weight',
  needs: ['weighted-split'],
  yaml: SHOP + `---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {name: books-canary, namespace: shop}
spec:
  service: books
  backends: [{service: books-v1, weight: 75}, {service: books-v2, weight: 25}]
`,
  access: [],
  routes: [
    [{ service: { namespace: 'shop', name: 'books' }, port: 80, protocol: 'http', http: httpParts('GET', '/', []) }, { 'shop/books-v1': 0.75, 'shop/books-v2': 0.25 }],
  ],
});
