/**
 * Named cases for the Cilium target: the CiliumNetworkPolicies written for typical SMI and what Cilium
 * then decides. The random equivalence tests prove soundness; these pin down the shapes.
 */
import { describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { RE2JS } from 're2js';
import assert from 'node:assert/strict';
import { cilium } from '../../src/targets/cilium/index.js';
import { DEFAULT_OPTIONS } from '../../src/targets/target.js';
import { decide } from '../../src/policy/decide.js';
import { CrdSchemas } from '../support/crd-schemas.js';
import { deploymentYaml, httpRequest, l4Request, modelOf } from '../support/policy.js';
import { grantBooks, route, smallShop } from '../conformance/shop.js';

const schemas = new CrdSchemas('crds/cilium', 'crds/gateway-api');
const inventory = smallShop();
const routes = (headers: string) => route('HTTPRouteGroup', 'books-routes', `{matches: [{name: list, methods: [GET], pathRegex: /books${headers}}]}`)
  + route('UDPRoute', 'dns', '{matches: {ports: [53]}}')
  + grantBooks('web-to-books', ['web'], '[{kind: HTTPRouteGroup, name: books-routes}, {kind: UDPRoute, name: dns}]');

const setup = (headers = '') => {
  const model = modelOf(inventory + routes(headers));
  const t = cilium.translate(model, DEFAULT_OPTIONS);
  const books = model.inventory.workloads.find((w) => w.name === 'books')!;
  const ask = (r: Parameters<typeof decide>[1]) => ({ smi: decide(model, r).allowed, cilium: cilium.evaluateAccess(t.resources, books, r, DEFAULT_OPTIONS) });
  return { t, ask };
};

test('a destination by its ServiceAccount label, sources by ServiceAccount and namespace; HTTP as L7 rules on the declared port', () => {
  const { t } = setup();
  for (const r of t.resources) assert.deepEqual(schemas.problems(r), [], r.metadata.name);
  const books = t.resources.find((r) => r.metadata.name === 'smi-books')!;
  assert.deepEqual(books.spec, {
    endpointSelector: { matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'books' } },
    ingress: [
      { fromEndpoints: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'shop', 'io.cilium.k8s.policy.serviceaccount': 'web' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '(?:/books)[^?]*(?:\\?(?s:.*))?' }] } }] },
      { fromEndpoints: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'shop', 'io.cilium.k8s.policy.serviceaccount': 'web' } }], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] },
    ],
  });
  assert.ok(t.resources.some((r) => r.metadata.name === 'smi--deny-by-default'), 'strict mode: every endpoint of the namespace in default deny');
  assert.ok(t.diagnostics.some((d) => d.code === 'CILIUM_HTTP_PORTS_FROM_PODS' && d.severity === 'warning'));
});

test('UDP is decided, not bypassed: granted on 53, denied elsewhere and to other callers', () => {
  const { ask } = setup();
  assert.deepEqual(Object.values(ask(l4Request('shop/web', 'shop/books', 'udp', 53))).map((x) => (typeof x === 'boolean' ? x : [x.allowed, x.enforced])), [true, [true, true]]);
  assert.deepEqual(Object.values(ask(l4Request('shop/web', 'shop/books', 'udp', 54))).map((x) => (typeof x === 'boolean' ? x : [x.allowed, x.enforced])), [false, [false, true]]);
  assert.deepEqual(Object.values(ask(l4Request('shop/books', 'shop/books', 'udp', 53))).map((x) => (typeof x === 'boolean' ? x : [x.allowed, x.enforced])), [false, [false, true]]);
});

test('HTTP: method and the start-anchored path; raw TCP to the L7 port is not HTTP and is refused', () => {
  const { ask } = setup();
  assert.equal(ask(httpRequest('shop/web', 'shop/books', 'GET', '/books/1', { port: 8080 })).cilium.allowed, true);
  assert.equal(ask(httpRequest('shop/web', 'shop/books', 'POST', '/books/1', { port: 8080 })).cilium.allowed, false);
  assert.equal(ask(httpRequest('shop/web', 'shop/books', 'GET', '/x/books', { port: 8080 })).cilium.allowed, false);
  assert.equal(ask(l4Request('shop/web', 'shop/books', 'tcp', 8080)).cilium.allowed, false);
});

test('an exact header becomes "Name value"; a header prefix regex cannot be written and the match is left out (narrower), with an error', () => {
  const exact = setup(", headers: {x-user: 'alice$'}");
  const http = (exact.t.resources.find((r) => r.metadata.name === 'smi-books')!.spec as { ingress: { toPorts?: { rules?: { http: unknown[] } }[] }[] }).ingress[0]!.toPorts![0]!.rules!.http;
  assert.deepEqual(http, [{ method: 'GET', path: '(?:/books)[^?]*(?:\\?(?s:.*))?', headers: ['x-user alice'] }]);
  assert.equal(exact.ask(httpRequest('shop/web', 'shop/books', 'GET', '/books', { port: 8080, headers: { 'X-User': 'alice' } })).cilium.allowed, true);
  assert.equal(exact.ask(httpRequest('shop/web', 'shop/books', 'GET', '/books', { port: 8080, headers: { 'X-User': 'alicex' } })).cilium.allowed, false);

  const prefix = setup(", headers: {x-user: 'ali'}");
  assert.ok(prefix.t.diagnostics.some((d) => d.code === 'CILIUM_MATCH_INEXPRESSIBLE' && d.severity === 'error'));
  const r = prefix.ask(httpRequest('shop/web', 'shop/books', 'GET', '/books', { port: 8080, headers: { 'X-User': 'alice' } }));
  assert.deepEqual([r.smi, r.cilium.allowed], [true, false]);
});

test('--cilium-mutual-auth: every rule that grants callers requires mutual authentication; the deny-by-default rule stays empty', () => {
  const model = modelOf(inventory + routes(''));
  const options = { ...DEFAULT_OPTIONS, ciliumMutualAuth: true };
  const t = cilium.translate(model, options);
  for (const r of t.resources) assert.deepEqual(schemas.problems(r), [], r.metadata.name);
  const rules = (t.resources.find((r) => r.metadata.name === 'smi-books')!.spec as { ingress: { authentication?: unknown }[] }).ingress;
  assert.ok(rules.length > 0 && rules.every((r) => JSON.stringify(r.authentication) === '{"mode":"required"}'), JSON.stringify(rules));
  assert.deepEqual((t.resources.find((r) => r.metadata.name === 'smi--deny-by-default')!.spec as { ingress: unknown[] }).ingress, [{}]);
  const books = model.inventory.workloads.find((w) => w.name === 'books')!;
  assert.equal(cilium.evaluateAccess(t.resources, books, l4Request('shop/web', 'shop/books', 'udp', 53), options).allowed, true);
  // A rule whose handshake always fails lets no one in (Cilium's test mode): the evaluator reads the field.
  const failing = t.resources.map((r) => (r.metadata.name === 'smi-books' ? { ...r, spec: { ...(r.spec as object), ingress: rules.map((x) => ({ ...x, authentication: { mode: 'test-always-fail' } })) } } : r));
  assert.equal(cilium.evaluateAccess(failing, books, l4Request('shop/web', 'shop/books', 'udp', 53), options).allowed, false);
});

test('--cilium-mutual-auth on the command line: written for cilium, refused for other meshes (exit 2)', async () => {
  const { runCli } = await import('../support/cli.js');
  const input = inventory + routes('');
  const ok = await runCli(['translate', '-f', '-', '--mesh', 'cilium', '--cilium-mutual-auth', '-o', 'json'], input);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /"mode": "required"/);
  const refused = await runCli(['translate', '-f', '-', '--mesh', 'istio', '--cilium-mutual-auth'], input);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--cilium-mutual-auth applies to --mesh cilium only/);
});

describe("the path as Cilium's proxy sees it: query string included, normalised", () => {
  // OSM's bookstore demo, as the field wrote it: bookbuyer may GET ".*a-book.*new" and /books-bought with headers.
  const osm = readFileSync(new URL('../fixtures/field/osm-bookstore.yaml', import.meta.url), 'utf8');
  const model = modelOf(osm);
  const t = cilium.translate(model, DEFAULT_OPTIONS);
  const bookstore = model.inventory.workloads.find((w) => w.namespace === 'bookstore' && w.serviceAccount === 'bookstore')!;
  const both = (path: string, headers: Record<string, string> = {}) => {
    const r = httpRequest('bookbuyer/bookbuyer', 'bookstore/bookstore', 'GET', path, { port: 14001, headers });
    return [decide(model, r).allowed, cilium.evaluateAccess(t.resources, bookstore, r, DEFAULT_OPTIONS).allowed];
  };

  test('a query string never satisfies a route: no GET of any path by appending what the regex wants', () => {
    assert.deepEqual(both('/nope?q=/a-booknew'), [false, false]);
    assert.deepEqual(both('/books-bought?x=a-book-new'), [false, false], '/books-bought without its headers');
    assert.deepEqual(both('/?a-book-new'), [false, false]);
  });

  test('and never takes away: the granted path with a query is still granted', () => {
    assert.deepEqual(both('/buy-a-book/new'), [true, true]);
    assert.deepEqual(both('/buy-a-book/new?id=3'), [true, true]);
  });

  test('a pathRegex ending in $ allows that path with a query string, as SMI does', () => {
    const m = modelOf(inventory + routes('').replace('pathRegex: /books}', () => 'pathRegex: /health$}'));
    const tr = cilium.translate(m, DEFAULT_OPTIONS);
    const books = m.inventory.workloads.find((w) => w.name === 'books')!;
    for (const [path, expected] of [['/health', true], ['/health?verbose=1', true], ['/healthz', false], ['/health/x?y', false], ['/nope?/health', false]] as const) {
      const r = httpRequest('shop/web', 'shop/books', 'GET', path, { port: 8080 });
      assert.equal(decide(m, r).allowed, expected, `SMI ${path}`);
      assert.equal(cilium.evaluateAccess(tr.resources, books, r, DEFAULT_OPTIONS).allowed, expected, `Cilium ${path}`);
    }
    // The written rule itself, as Cilium's Envoy full-matches it against :path.
    const rule = JSON.stringify(tr.resources).match(/"path":"((?:[^"\\]|\\.)*)"/)?.[1];
    assert.ok(rule);
    const regex = RE2JS.compile(JSON.parse(`"${rule}"`) as string);
    assert.deepEqual(['/health', '/health?verbose=1', '/healthz', '/nope?/health'].map((p) => regex.matches(p)), [true, true, false, false]);
  });

  test("Cilium's Envoy normalises the path before its rules (dot segments, repeated slashes, backslashes, escaped letters)", () => {
    const { ask } = setup();
    for (const path of ['/x/../books', '//books', '/books/./1', '\\books', '/%62ooks']) {
      assert.equal(ask(httpRequest('shop/web', 'shop/books', 'GET', path, { port: 8080 })).cilium.allowed, true, path);
    }
    assert.equal(ask(httpRequest('shop/web', 'shop/books', 'GET', '/books/../admin', { port: 8080 })).cilium.allowed, false);
    // An escaped slash is answered with a redirect to the unescaped path, never forwarded as it is.
    assert.equal(ask(httpRequest('shop/web', 'shop/books', 'GET', '/books%2F1', { port: 8080 })).cilium.allowed, false);
  });

  test('regexes that cannot be written exactly are left out with an error (narrower), never widened', () => {
    for (const regex of ['(?m)/books$', '/books\\b$']) {
      const m = modelOf(inventory + routes('').replace('pathRegex: /books}', () => `pathRegex: '${regex}'}`));
      const tr = cilium.translate(m, DEFAULT_OPTIONS);
      assert.ok(tr.diagnostics.some((d) => d.code === 'CILIUM_MATCH_INEXPRESSIBLE' && d.severity === 'error'), regex);
      assert.ok(!JSON.stringify(tr.resources).includes('"method":"GET"'), `${regex}: no L7 rule written`);
    }
  });
});

describe('which peers Cilium (1.5 and later) sends through its HTTP proxy', () => {
  const input = inventory + deploymentYaml('shop', 'batch', 'batch', []) + routes('') + `
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: books-tcp, namespace: shop}
spec: {matches: {ports: [8080]}}
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: batch-to-books, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: books, namespace: shop}
  rules: [{kind: TCPRoute, name: books-tcp}]
  sources: [{kind: ServiceAccount, name: batch, namespace: shop}]
`;

  test('a peer granted plain TCP keeps plain TCP on a port where another peer has HTTP rules; no warning', () => {
    const model = modelOf(input);
    const t = cilium.translate(model, DEFAULT_OPTIONS);
    const books = model.inventory.workloads.find((w) => w.name === 'books')!;
    const tcp = l4Request('shop/batch', 'shop/books', 'tcp', 8080);
    assert.deepEqual([decide(model, tcp).allowed, cilium.evaluateAccess(t.resources, books, tcp, DEFAULT_OPTIONS).allowed], [true, true]);
    // The HTTP peer is still proxied: its plain TCP is refused, its requests judged by the L7 rules.
    assert.equal(cilium.evaluateAccess(t.resources, books, l4Request('shop/web', 'shop/books', 'tcp', 8080), DEFAULT_OPTIONS).allowed, false);
    assert.equal(cilium.evaluateAccess(t.resources, books, httpRequest('shop/web', 'shop/books', 'POST', '/x', { port: 8080 }), DEFAULT_OPTIONS).allowed, false);
    assert.ok(!t.diagnostics.some((d) => d.code === 'CILIUM_TCP_THROUGH_HTTP_PROXY'), JSON.stringify(t.diagnostics));
  });

  test('the same peer with HTTP rules and plain TCP on one port: proxied, every HTTP request passes, non-HTTP refused, with a warning naming it', () => {
    const model = modelOf(input.replace('sources: [{kind: ServiceAccount, name: batch, namespace: shop}]', 'sources: [{kind: ServiceAccount, name: web, namespace: shop}]'));
    const t = cilium.translate(model, DEFAULT_OPTIONS);
    const books = model.inventory.workloads.find((w) => w.name === 'books')!;
    const warning = t.diagnostics.find((d) => d.code === 'CILIUM_TCP_THROUGH_HTTP_PROXY');
    assert.ok(warning && warning.message.includes('source shop/web') && warning.message.includes('port 8080'), JSON.stringify(t.diagnostics));
    assert.equal(cilium.evaluateAccess(t.resources, books, httpRequest('shop/web', 'shop/books', 'POST', '/x', { port: 8080 }), DEFAULT_OPTIONS).allowed, true);
    assert.equal(cilium.evaluateAccess(t.resources, books, l4Request('shop/web', 'shop/books', 'tcp', 8080), DEFAULT_OPTIONS).allowed, false);
  });
});

test("the rules written for OSM's bookstore, matched by RE2 against the whole :path as Cilium's Envoy does: a query string never satisfies them", () => {
  const model = modelOf(readFileSync(new URL('../fixtures/field/osm-bookstore.yaml', import.meta.url), 'utf8'));
  const rules = cilium.translate(model, DEFAULT_OPTIONS).resources
    .filter((r) => r.kind === 'CiliumNetworkPolicy' && r.metadata.namespace === 'bookstore')
    .flatMap((r) => (r.spec as { ingress?: { toPorts?: { rules?: { http?: { path?: string }[] } }[] }[] }).ingress ?? [])
    .flatMap((i) => i.toPorts ?? []).flatMap((t) => t.rules?.http ?? []).map((h) => h.path).filter((p): p is string => p !== undefined);
  assert.ok(rules.length > 0);
  const fullMatch = (regex: string, value: string) => RE2JS.compile(regex).matches(value);
  for (const path of ['/nope?q=/a-booknew', '/nope?x=a-book-new', '/?/buy-a-book/new']) {
    assert.ok(!rules.some((r) => fullMatch(r, path)), `${path} is allowed by one of ${JSON.stringify(rules)}`);
  }
  assert.ok(rules.some((r) => fullMatch(r, '/buy-a-book/new?id=1')), 'the granted path with a query string');
});
