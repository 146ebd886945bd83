/**
 * SMI as the field wrote it (test/fixtures/field/, each file naming the project whose shapes it
 * re-expresses): each input validates; a handful of answers stated from the spec text; and on every
 * mesh, every translation fits the mesh's CRDs and never allows what SMI denies, on requests derived
 * from the policy itself.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { validateYaml, codes } from '../support/inputs.js';
import { httpRequest, l4Request } from '../support/policy.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { decide } from '../../src/policy/decide.js';
import { route } from '../../src/policy/route.js';
import { accessProbes, routeProbes } from '../../src/policy/probes.js';
import { httpParts, type AccessRequest, type RouteRequest } from '../../src/policy/request.js';
import type { AccessMode } from '../../src/policy/model.js';
import { TARGETS, scopeOptions } from '../../src/targets/registry.js';
import { DEFAULT_OPTIONS, type TranslateOptions } from '../../src/targets/target.js';
import { CrdSchemas } from '../support/crd-schemas.js';
import { checkWorld, newTally } from '../support/equivalence.js';

const DIR = resolve(import.meta.dirname, '../fixtures/field');
const text = (file: string) => readFileSync(join(DIR, file), 'utf8');
const model = (file: string, mode: AccessMode = 'strict') => resolvePolicy(validateYaml(text(file), {}, file), { mode, scope: scopeOptions() });
const shares = (file: string, request: RouteRequest) => Object.fromEntries(route(model(file), request).backends.map((b) => [b.service, Math.round(b.share * 1000) / 1000]));
const http = (namespace: string, name: string, port: number, headers: Record<string, string> = {}): RouteRequest =>
  ({ service: { namespace, name }, port, protocol: 'http', http: httpParts('GET', '/', Object.entries(headers)) });

const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

describe('the field corpus validates', () => {
  // Warnings each source earns, and why: OSM writes headers as a list; Linkerd lists the root among the backends.
  const expected: Record<string, string[]> = {
    'osm-bookstore.yaml': ['SMI_HEADERS_LIST_FORM'],
    'linkerd-smi.yaml': ['SMI_SPLIT_SELF_BACKEND', 'SMI_SPLIT_SELF_BACKEND'],
  };
  test('the corpus holds every source the issue names', () => {
    assert.deepEqual(FILES, ['flagger-canary-v1alpha1.yaml', 'flagger-canary-v1alpha2.yaml', 'flagger-canary-v1alpha3.yaml', 'linkerd-smi.yaml', 'osm-bookstore.yaml', 'osm-ingress.yaml', 'spec-examples.yaml', 'traefik-mesh.yaml']);
  });
  for (const file of FILES) {
    test(`${file}: no errors, only the expected warnings, every SMI object takes part`, () => {
      const r = validateYaml(text(file), {}, file);
      assert.deepEqual(codes(r.all, 'error'), [], JSON.stringify(r.all, null, 1));
      assert.deepEqual(codes(r.all, 'warning'), expected[file] ?? []);
      assert.equal(r.valid.length, r.smi.length);
      assert.ok(r.smi.length > 0);
    });
  }
});

describe('answers stated from the spec text', () => {
  const ua = { 'user-agent': 'go-http-client/1.1', 'client-app': 'bookbuyer' };
  const access: [string, string, AccessRequest, boolean][] = [
    // OSM: headers of every list entry must match; regexes are anchored at the start only.
    ['osm-bookstore.yaml', 'bookbuyer may GET /books-bought with both headers', httpRequest('bookbuyer/bookbuyer', 'bookstore/bookstore', 'GET', '/books-bought', { port: 14001, headers: ua }), true],
    ['osm-bookstore.yaml', 'without client-app it may not', httpRequest('bookbuyer/bookbuyer', 'bookstore/bookstore', 'GET', '/books-bought', { port: 14001, headers: { 'user-agent': 'go-http-client/1.1' } }), false],
    ['osm-bookstore.yaml', 'bookthief may not, whatever its headers', httpRequest('bookthief/bookthief', 'bookstore/bookstore', 'GET', '/books-bought', { port: 14001, headers: ua }), false],
    ['osm-bookstore.yaml', '".*a-book.*new" fits /buy-a-book/new', httpRequest('bookbuyer/bookbuyer', 'bookstore/bookstore', 'GET', '/buy-a-book/new', { port: 14001 }), true],
    ['osm-bookstore.yaml', 'a match the TrafficTarget does not list grants nothing', httpRequest('bookbuyer/bookbuyer', 'bookstore/bookstore', 'POST', '/update-books-bought', { port: 14001 }), false],
    ['osm-bookstore.yaml', 'bookstore may POST to bookwarehouse', httpRequest('bookstore/bookstore', 'bookwarehouse/bookwarehouse', 'POST', '/restock-books', { port: 14001 }), true],
    ['osm-bookstore.yaml', 'bookwarehouse reaches mysql on 3306', l4Request('bookwarehouse/bookwarehouse', 'bookwarehouse/mysql', 'tcp', 3306), true],
    ['osm-bookstore.yaml', 'but not on another port', l4Request('bookwarehouse/bookwarehouse', 'bookwarehouse/mysql', 'tcp', 3307), false],
    // Traefik Mesh: v1alpha2 destination ports limit each grant.
    ['traefik-mesh.yaml', 'client may call /api on port 80', httpRequest('default/client', 'default/server', 'DELETE', '/api/users', { port: 80 }), true],
    ['traefik-mesh.yaml', 'the metrics match is not granted', httpRequest('default/client', 'default/server', 'GET', '/metrics', { port: 80 }), false],
    ['traefik-mesh.yaml', 'raw TCP on 8080 is granted by the TCPRoute target', l4Request('default/client', 'default/server', 'tcp', 8080), true],
    ['traefik-mesh.yaml', 'raw TCP on 80 is not: port 80 has HTTP rules only', l4Request('default/client', 'default/server', 'tcp', 80), false],
    // The spec's own example: Prometheus may GET /metrics, on the TCPRoute's port only (docs/semantics.md A5).
    ['spec-examples.yaml', 'prometheus may GET /metrics on 8080', httpRequest('default/prometheus', 'default/service-a', 'GET', '/metrics', { port: 8080 }), true],
    ['spec-examples.yaml', 'but not POST it', httpRequest('default/prometheus', 'default/service-a', 'POST', '/metrics', { port: 8080 }), false],
    ['spec-examples.yaml', 'nor GET another path', httpRequest('default/prometheus', 'default/service-a', 'GET', '/api', { port: 8080 }), false],
    ['spec-examples.yaml', 'nor GET /metrics on a port the TCPRoute does not name', httpRequest('default/prometheus', 'default/service-a', 'GET', '/metrics', { port: 9090 }), false],
    ['spec-examples.yaml', 'raw TCP is not granted next to HTTP rules', l4Request('default/prometheus', 'default/service-a', 'tcp', 8080), false],
  ];
  for (const [file, what, request, allowed] of access) {
    test(`${file}: ${what} → ${allowed ? 'ALLOW' : 'DENY'}`, () => {
      const d = decide(model(file), request);
      assert.equal(d.allowed, allowed, JSON.stringify(d.reasons));
    });
  }

  const routes: [string, string, RouteRequest, Record<string, number>][] = [
    ['osm-bookstore.yaml', 'the FQDN root bookstore.bookstore splits 75/25', http('bookstore', 'bookstore', 14001), { 'bookstore/bookstore-v1': 0.75, 'bookstore/bookstore-v2': 0.25 }],
    ['flagger-canary-v1alpha1.yaml', 'quantities "90" and "10"', http('test', 'podinfo', 9898), { 'test/podinfo-primary': 0.9, 'test/podinfo-canary': 0.1 }],
    ['flagger-canary-v1alpha2.yaml', 'whole numbers 90 and 10', http('test', 'podinfo', 9898), { 'test/podinfo-primary': 0.9, 'test/podinfo-canary': 0.1 }],
    ['flagger-canary-v1alpha3.yaml', 'whole numbers 80 and 20', http('test', 'podinfo', 9898), { 'test/podinfo-primary': 0.8, 'test/podinfo-canary': 0.2 }],
    ['linkerd-smi.yaml', 'the root as a backend keeps its share of its own endpoints', http('trafficsplit-sample', 'backend-svc', 8080), { 'trafficsplit-sample/backend-svc': 0.5, 'trafficsplit-sample/failing-svc': 0.5 }],
    ['linkerd-smi.yaml', '900m and 100m', http('booksapp', 'books', 7002), { 'booksapp/books': 0.9, 'booksapp/error-injector': 0.1 }],
    ['traefik-mesh.yaml', '80/20', http('default', 'server', 80), { 'default/server-v1': 0.8, 'default/server-v2': 0.2 }],
    ['spec-examples.yaml', 'canary 90/10', http('default', 'website', 8080), { 'default/website-v1': 0.9, 'default/website-v2': 0.1 }],
    ['spec-examples.yaml', 'A/B: Firefox users go to v2', http('ab', 'website', 8080, { 'user-agent': 'Mozilla/5.0 Firefox/120.0' }), { 'ab/website-v2': 1 }],
    ['spec-examples.yaml', 'A/B: everyone else stays with the root service', http('ab', 'website', 8080, { 'user-agent': 'curl/8' }), { 'ab/website': 1 }],
  ];
  for (const [file, what, request, expected] of routes) {
    test(`${file}: ${what}`, () => assert.deepEqual(shares(file, request), expected));
  }
});

describe('every mesh, every field input: valid CRDs, never wider than SMI, differences reported', () => {
  // Linkerd: strict mode needs the default inbound policy deny; the other modes keep Linkerd's install default.
  const linkerdDefault = (mode: AccessMode) => (mode === 'strict' ? ('deny' as const) : ('all-unauthenticated' as const));
  const meshes: [string, string[], (mode: AccessMode) => TranslateOptions][] = [
    ['istio', ['crds/istio'], () => DEFAULT_OPTIONS],
    ['linkerd', ['crds/linkerd', 'crds/gateway-api'], (mode) => ({ ...DEFAULT_OPTIONS, linkerdDefaultPolicy: linkerdDefault(mode) })],
    ['gateway-api', ['crds/gateway-api', 'crds/istio', 'crds/linkerd'], () => ({ ...DEFAULT_OPTIONS, authz: 'istio' })],
    ['consul', ['crds/consul'], () => DEFAULT_OPTIONS],
    ['appmesh', ['crds/appmesh'], () => DEFAULT_OPTIONS],
    ['cilium', ['crds/cilium', 'crds/gateway-api'], () => DEFAULT_OPTIONS],
  ];
  for (const [mesh, crds, options] of meshes) {
    const schemas = new CrdSchemas(...crds);
    for (const mode of ['strict', 'permissive'] as const) {
      test(`${mesh} (${mode})`, () => {
        const tally = newTally();
        for (const file of FILES) {
          const objects = parseAllDocuments(text(file)).map((d) => d.toJS() as Record<string, unknown>);
          const m = model(file, mode);
          checkWorld(TARGETS[mesh as keyof typeof TARGETS]!, schemas, { objects, mode }, accessProbes(m), routeProbes(m), options(mode), tally);
        }
        assert.equal(tally.worlds, FILES.length);
        assert.ok(tally.allowedBoth + tally.narrowed + tally.unenforced > 0 && tally.routesCompared > 0, JSON.stringify(tally));
        // In strict mode the probes just outside each grant must be refused somewhere.
        if (mode === 'strict') assert.ok(tally.deniedBoth > 0, JSON.stringify(tally));
      });
    }
  }
});
