/**
 * Named cases for the Cilium target: the CiliumNetworkPolicies written for typical SMI and what Cilium
 * then decides. The random equivalence tests prove soundness; these pin down the shapes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cilium } from '../../src/targets/cilium/index.js';
import { DEFAULT_OPTIONS } from '../../src/targets/target.js';
import { decide } from '../../src/policy/decide.js';
import { CrdSchemas } from '../support/crd-schemas.js';
import { deploymentYaml, httpRequest, l4Request, modelOf, serviceYaml } from '../support/policy.js';

const schemas = new CrdSchemas('crds/cilium', 'crds/gateway-api');
const inventory = deploymentYaml('shop', 'books', 'books', [8080]) + deploymentYaml('shop', 'web', 'web', [80]) + serviceYaml('shop', 'books', 8080) + serviceYaml('shop', 'web', 80);
const routes = (headers: string) => `
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: books-routes, namespace: shop}
spec:
  matches:
  - {name: list, methods: [GET], pathRegex: /books${headers}}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: UDPRoute
metadata: {name: dns, namespace: shop}
spec: {matches: {ports: [53]}}
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: web-to-books, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: books, namespace: shop}
  rules: [{kind: HTTPRouteGroup, name: books-routes}, {kind: UDPRoute, name: dns}]
  sources: [{kind: ServiceAccount, name: web, namespace: shop}]
`;

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
      { fromEndpoints: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'shop', 'io.cilium.k8s.policy.serviceaccount': 'web' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '(?:/books).*' }] } }] },
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
  assert.deepEqual(http, [{ method: 'GET', path: '(?:/books).*', headers: ['x-user alice'] }]);
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
