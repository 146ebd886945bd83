/** Named conformance cases for access: each an input, requests, and the expected answer. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../src/policy/decide.js';
import { modelOf, httpRequest, l4Request } from '../support/policy.js';
import type { AccessRequest } from '../../src/policy/request.js';
import type { PolicyModel } from '../../src/policy/model.js';

const allowed = (m: PolicyModel, r: AccessRequest) => decide(m, r).allowed;

// The spec's L7 example (traffic-access v1alpha3), with its allow table.
const L7 = `
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: { name: api-service-port, namespace: default }
spec: { matches: { ports: [8080] } }
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: { name: api-service-routes, namespace: default }
spec:
  matches:
    - { name: api, pathRegex: /api, methods: ["*"] }
    - { name: metrics, pathRegex: /metrics, methods: [GET] }
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: { name: api-service-metrics, namespace: default }
spec:
  destination: { kind: ServiceAccount, name: api-service, namespace: default }
  rules:
    - { kind: TCPRoute, name: api-service-port }
    - { kind: HTTPRouteGroup, name: api-service-routes, matches: [metrics] }
  sources: [{ kind: ServiceAccount, name: prometheus, namespace: default }]
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: { name: api-service-api, namespace: default }
spec:
  destination: { kind: ServiceAccount, name: api-service, namespace: default }
  rules:
    - { kind: TCPRoute, name: api-service-port }
    - { kind: HTTPRouteGroup, name: api-service-routes, matches: [api] }
  sources:
    - { kind: ServiceAccount, name: website-service, namespace: default }
    - { kind: ServiceAccount, name: payments-service, namespace: default }
`;

describe('the spec L7 example: its allow table and nothing more', () => {
  const m = modelOf(L7);
  const cases: [string, string, string, number, boolean][] = [
    ['default/website-service', 'DELETE', '/api/orders', 8080, true],
    ['default/payments-service', 'POST', '/api', 8080, true],
    ['default/prometheus', 'GET', '/metrics', 8080, true],
    ['default/prometheus', 'POST', '/metrics', 8080, false],
    ['default/prometheus', 'GET', '/api', 8080, false],
    ['default/website-service', 'GET', '/metrics', 8080, false],
    ['default/website-service', 'GET', '/api', 9090, false], // the TCPRoute narrows HTTP to 8080
    ['default/stranger', 'GET', '/api', 8080, false],
  ];
  for (const [from, method, path, port, expected] of cases) {
    test(`${from} ${method} ${path} :${port} → ${expected ? 'ALLOW' : 'DENY'}`, () => {
      assert.equal(allowed(m, httpRequest(from, 'default/api-service', method, path, { port })), expected);
    });
  }
  test('raw TCP on the port of a target with HTTP rules is denied', () => {
    const d = decide(m, l4Request('default/website-service', 'default/api-service', 'tcp', 8080));
    assert.equal(d.allowed, false);
    assert.match(d.reasons.map((r) => r.message).join(), /not raw TCP/);
  });
  test('an allow names the TrafficTarget and the match; a deny explains every candidate', () => {
    const yes = decide(m, httpRequest('default/prometheus', 'default/api-service', 'GET', '/metrics', { port: 8080 }));
    assert.equal(yes.reasons[0]!.target!.name, 'api-service-metrics');
    assert.equal(yes.reasons[0]!.via, 'HTTPRouteGroup api-service-routes match metrics');
    const no = decide(m, httpRequest('default/prometheus', 'default/api-service', 'POST', '/metrics', { port: 8080 }));
    assert.deepEqual(no.reasons.map((r) => r.target!.name), ['api-service-metrics', 'api-service-api']);
    assert.match(no.reasons[0]!.message, /method POST is not one of GET/);
    assert.match(no.reasons[1]!.message, /not among its sources/);
  });
});

// The spec's L4 example (traffic-access v1alpha3).
const L4 = `
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: { name: tcp-ports, namespace: default }
spec: { matches: { ports: [8301, 8302, 8300] } }
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: UDPRoute
metadata: { name: udp-ports, namespace: default }
spec: { matches: { ports: [8301, 8302] } }
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: { name: protocol-specific, namespace: default }
spec:
  destination: { kind: ServiceAccount, name: server, namespace: default }
  rules: [{ kind: TCPRoute, name: tcp-ports }, { kind: UDPRoute, name: udp-ports }]
  sources: [{ kind: ServiceAccount, name: client, namespace: default }]
`;

describe('the spec L4 example', () => {
  const m = modelOf(L4);
  for (const port of [8301, 8302]) {
    test(`TCP and UDP to ${port} are allowed`, () => {
      assert.ok(allowed(m, l4Request('default/client', 'default/server', 'tcp', port)));
      assert.ok(allowed(m, l4Request('default/client', 'default/server', 'udp', port)));
    });
  }
  test('UDP to 8300 is blocked, TCP to 8300 allowed, other ports denied', () => {
    assert.equal(allowed(m, l4Request('default/client', 'default/server', 'udp', 8300)), false);
    assert.equal(allowed(m, l4Request('default/client', 'default/server', 'tcp', 8300)), true);
    assert.equal(allowed(m, l4Request('default/client', 'default/server', 'tcp', 22)), false);
  });
  test('HTTP on a TCP-granted port is TCP traffic: allowed without HTTP rules', () => {
    assert.ok(allowed(m, httpRequest('default/client', 'default/server', 'POST', '/anything', { port: 8300 })));
    assert.equal(allowed(m, httpRequest('default/client', 'default/server', 'GET', '/', { port: 80 })), false);
  });
  test('a request without a port does not fit rules limited to some ports', () => {
    assert.equal(allowed(m, l4Request('default/client', 'default/server', 'tcp')), false);
  });
});

const tt = (name: string, spec: string, ns = 'default') => `---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: { name: ${name}, namespace: ${ns} }
spec:
${spec}`;
const routes = (matches: string, name = 'routes', ns = 'default') => `---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: { name: ${name}, namespace: ${ns} }
spec:
  matches:
${matches}`;

describe('HTTP match semantics', () => {
  const m = modelOf(`${routes(`    - { name: api, pathRegex: "/api|/v2", methods: [GET] }
    - { name: any }
    - name: canary
      pathRegex: /beta
      headers: { X-Canary: "yes|true", user-agent: ".*Firefox.*" }`)}
${tt('web-api', '  destination: { kind: ServiceAccount, name: api }\n  rules: [{ kind: HTTPRouteGroup, name: routes, matches: [api] }]\n  sources: [{ kind: ServiceAccount, name: web }]')}
${tt('admin-any', '  destination: { kind: ServiceAccount, name: api }\n  rules: [{ kind: HTTPRouteGroup, name: routes, matches: [any] }]\n  sources: [{ kind: ServiceAccount, name: admin, namespace: ops }]')}
${tt('tester-canary', '  destination: { kind: ServiceAccount, name: api }\n  rules: [{ kind: HTTPRouteGroup, name: routes, matches: [canary] }]\n  sources: [{ kind: ServiceAccount, name: tester }]')}`);
  const web = (method: string, path: string) => allowed(m, httpRequest('default/web', 'default/api', method, path));
  test('pathRegex is anchored at the start, every alternative too, and is a string prefix', () => {
    assert.ok(web('GET', '/api'));
    assert.ok(web('GET', '/apix'));
    assert.ok(web('GET', '/v2/items'));
    assert.equal(web('GET', '/x/api'), false);
    assert.equal(web('GET', '/x/v2'), false);
  });
  test('the query string is not part of the path', () => {
    assert.ok(web('GET', '/api?x=/forbidden'));
    assert.equal(web('GET', '/other?/api'), false);
  });
  test('methods are exact; a match without methods or path allows everything', () => {
    assert.equal(web('POST', '/api'), false);
    assert.ok(allowed(m, httpRequest('ops/admin', 'default/api', 'PATCH', '/anything/at/all')));
  });
  test('sources default to the TrafficTarget namespace; another namespace is another identity', () => {
    assert.equal(allowed(m, httpRequest('ops/web', 'default/api', 'GET', '/api')), false);
    assert.equal(allowed(m, httpRequest('default/admin', 'default/api', 'GET', '/x')), false);
  });
  test('headers: all must match, names are case-insensitive, regexes anchored at the start, absent never matches', () => {
    const t = (headers: Record<string, string>) => allowed(m, httpRequest('default/tester', 'default/api', 'GET', '/beta', { headers }));
    assert.ok(t({ 'x-canary': 'yes', 'User-Agent': 'Mozilla/5.0 Firefox/120' }));
    assert.ok(t({ 'X-CANARY': 'true', 'user-agent': 'Firefox' }));
    assert.ok(t({ 'x-canary': 'yesterday', 'user-agent': 'Firefox' }), 'anchored at the start only');
    assert.equal(t({ 'x-canary': 'oh yes', 'user-agent': 'Firefox' }), false);
    assert.equal(t({ 'x-canary': 'yes' }), false);
    assert.equal(t({ 'user-agent': 'Firefox' }), false);
  });
  test('unauthenticated callers are denied', () => {
    const d = decide(m, httpRequest('unauthenticated', 'default/api', 'GET', '/api'));
    assert.equal(d.allowed, false);
    assert.match(d.reasons[0]!.message, /no mesh identity/);
  });
});

describe('omitted and empty rule matches, unresolved rules', () => {
  test('omitted matches = every match of the group; missing groups grant nothing', () => {
    const m = modelOf(`${routes('    - { name: a, pathRegex: /a }\n    - { name: b, pathRegex: /b }')}
${tt('all', '  destination: { kind: ServiceAccount, name: api }\n  rules: [{ kind: HTTPRouteGroup, name: routes }]\n  sources: [{ kind: ServiceAccount, name: web }]')}
${tt('ghost', '  destination: { kind: ServiceAccount, name: api }\n  rules: [{ kind: HTTPRouteGroup, name: missing }, { kind: TCPRoute, name: missing-too }]\n  sources: [{ kind: ServiceAccount, name: ghost }]')}`);
    assert.ok(allowed(m, httpRequest('default/web', 'default/api', 'GET', '/a')));
    assert.ok(allowed(m, httpRequest('default/web', 'default/api', 'GET', '/b')));
    assert.equal(allowed(m, httpRequest('default/web', 'default/api', 'GET', '/c')), false);
    for (const r of [httpRequest('default/ghost', 'default/api', 'GET', '/a', { port: 80 }), l4Request('default/ghost', 'default/api', 'tcp', 80)]) {
      const d = decide(m, r);
      assert.equal(d.allowed, false, 'an HTTP rule that does not resolve must not open TCP or HTTP');
    }
  });
});

describe('legacy destination port (v1alpha1/v1alpha2)', () => {
  const legacy = `
apiVersion: specs.smi-spec.io/v1alpha1
kind: HTTPRouteGroup
metadata: { name: routes }
matches: [{ name: api, pathRegex: /api, methods: ["*"] }]
---
apiVersion: access.smi-spec.io/v1alpha1
kind: TrafficTarget
metadata: { name: t }
destination: { kind: ServiceAccount, name: api, port: 8080 }
specs: [{ kind: HTTPRouteGroup, name: routes }]
sources: [{ kind: ServiceAccount, name: web }]
`;
  test('limits every rule to that port', () => {
    const m = modelOf(legacy);
    assert.ok(allowed(m, httpRequest('default/web', 'default/api', 'GET', '/api', { port: 8080 })));
    assert.equal(allowed(m, httpRequest('default/web', 'default/api', 'GET', '/api', { port: 9090 })), false);
    assert.equal(allowed(m, httpRequest('default/web', 'default/api', 'GET', '/api')), false);
  });
  test('still applies after the target was converted to v1alpha3 (annotation)', async () => {
    const { convertObject } = await import('../../src/api/convert.js');
    const { parse, stringify } = await import('yaml');
    const docs = legacy.split('---').map((d) => parse(d));
    const converted = convertObject(docs[1], 'access.smi-spec.io/v1alpha3');
    assert.ok(converted.ok);
    const m = modelOf(`${legacy.split('---')[0]}---\n${stringify(converted.value.object)}`);
    assert.equal(allowed(m, httpRequest('default/web', 'default/api', 'GET', '/api', { port: 9090 })), false);
    assert.ok(allowed(m, httpRequest('default/web', 'default/api', 'GET', '/api', { port: 8080 })));
  });
});

describe('access modes', () => {
  const text = `${routes('    - { name: a, pathRegex: /a }')}
${tt('t', '  destination: { kind: ServiceAccount, name: api }\n  rules: [{ kind: HTTPRouteGroup, name: routes }]\n  sources: [{ kind: ServiceAccount, name: web }]')}`;
  test('strict: a destination without TrafficTargets denies everything', () => {
    const m = modelOf(text, 'strict');
    assert.equal(allowed(m, httpRequest('default/web', 'default/other', 'GET', '/a')), false);
  });
  test('per-destination: only named destinations are locked down', () => {
    const m = modelOf(text, 'per-destination');
    assert.ok(allowed(m, httpRequest('default/web', 'default/other', 'GET', '/a')));
    assert.ok(allowed(m, httpRequest('unauthenticated', 'default/other', 'GET', '/a')));
    assert.equal(allowed(m, httpRequest('default/web', 'default/api', 'GET', '/b')), false);
    assert.equal(allowed(m, httpRequest('unauthenticated', 'default/api', 'GET', '/a')), false);
  });
  test('per-destination: a destination named only by an invalid TrafficTarget stays locked down', async () => {
    const { validateYaml } = await import('../support/inputs.js');
    const { resolvePolicy } = await import('../../src/policy/resolve.js');
    const v = validateYaml(`${routes('    - { name: a, pathRegex: /a }')}
${tt('broken', '  destination: { kind: ServiceAccount, name: api }\n  rules: [{ kind: HTTPRouteGroup, name: routes, matches: [nope] }]\n  sources: [{ kind: ServiceAccount, name: web }]')}`);
    assert.equal(v.valid.filter((o) => o.def.kind === 'TrafficTarget').length, 0);
    const m = resolvePolicy(v, { mode: 'per-destination' });
    const d = decide(m, httpRequest('default/web', 'default/api', 'GET', '/a'));
    assert.equal(d.allowed, false);
    assert.match(d.reasons[0]!.message, /invalid/);
  });
  test('per-destination: a TrafficTarget naming another namespace\'s destination locks nothing down there (only its owners may)', async () => {
    const { validateYaml } = await import('../support/inputs.js');
    const { resolvePolicy } = await import('../../src/policy/resolve.js');
    const v = validateYaml(`${routes('    - { name: a, pathRegex: /a }')}
${tt('elsewhere', '  destination: { kind: ServiceAccount, name: api, namespace: other }\n  rules: [{ kind: HTTPRouteGroup, name: routes }]\n  sources: [{ kind: ServiceAccount, name: web }]')}`);
    assert.ok(v.diagnostics.some((d) => d.code === 'SMI_TT_DESTINATION_NAMESPACE'));
    const m = resolvePolicy(v, { mode: 'per-destination' });
    assert.deepEqual([...m.lockedDown], []);
    assert.ok(allowed(m, httpRequest('unauthenticated', 'other/api', 'GET', '/b')), 'other/api keeps the mesh default');
  });
  test('permissive: everything is allowed', () => {
    const m = modelOf(text, 'permissive');
    assert.ok(allowed(m, httpRequest('unauthenticated', 'default/api', 'DELETE', '/b')));
  });
});
