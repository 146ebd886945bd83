/** Properties of the reference semantics over random worlds and requests. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decide } from '../../src/policy/decide.js';
import { route } from '../../src/policy/route.js';
import { httpParts, type AccessRequest } from '../../src/policy/request.js';
import { modelOfObjects } from '../support/policy.js';
import type { AccessMode } from '../../src/policy/model.js';

const NS = ['a', 'b'];
const SA = ['s0', 's1', 's2', 's3'];
const PATHS = ['/', '/api', '/api/v1', '/apix', '/x', '/metrics'];
const PORTS = [80, 8080, 53];

const identity = fc.record({ namespace: fc.constantFrom(...NS), name: fc.constantFrom(...SA) });
const match = fc.record(
  {
    name: fc.constantFrom('m0', 'm1', 'm2'),
    pathRegex: fc.option(fc.constantFrom('/api', '/api/v[0-9]', '.*', '/x|/metrics', '/'), { nil: undefined }),
    methods: fc.option(fc.subarray(['GET', 'POST', '*'], { minLength: 1 }), { nil: undefined }),
    headers: fc.option(fc.constant({ 'x-v': '1|2' }), { nil: undefined }),
  },
  { requiredKeys: ['name'] },
);

/** Route objects for every namespace, so rules mostly resolve. */
const routeObjects = fc.tuple(fc.uniqueArray(match, { selector: (m) => m.name, minLength: 1, maxLength: 3 }), fc.subarray([80, 8080]), fc.subarray([53])).map(([matches, tcp, udp]) =>
  NS.flatMap((ns) => [
    { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'HTTPRouteGroup', metadata: { name: 'g', namespace: ns }, spec: { matches: JSON.parse(JSON.stringify(matches)) } },
    { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'TCPRoute', metadata: { name: 't', namespace: ns }, spec: { matches: { ports: tcp } } },
    { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'UDPRoute', metadata: { name: 'u', namespace: ns }, spec: { matches: { ports: udp } } },
  ]),
);

const rule = fc.oneof(
  fc.record({ kind: fc.constant('HTTPRouteGroup'), name: fc.constantFrom('g', 'missing'), matches: fc.option(fc.subarray(['m0', 'm1', 'm2'], { minLength: 1 }), { nil: undefined }) }, { requiredKeys: ['kind', 'name'] }),
  fc.record({ kind: fc.constant('TCPRoute'), name: fc.constant('t') }),
  fc.record({ kind: fc.constant('UDPRoute'), name: fc.constant('u') }),
);

const target = (name: string) =>
  fc.record({ ns: fc.constantFrom(...NS), dest: fc.constantFrom(...SA), rules: fc.array(rule, { minLength: 1, maxLength: 3 }), sources: fc.array(identity, { minLength: 1, maxLength: 3 }) }).map((t) => ({
    apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name, namespace: t.ns },
    spec: { destination: { kind: 'ServiceAccount', name: t.dest, namespace: t.ns }, rules: t.rules.map((r) => JSON.parse(JSON.stringify(r))), sources: t.sources.map((s) => ({ kind: 'ServiceAccount', ...s })) },
  }));

const targets = fc.integer({ min: 0, max: 5 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => target(`tt-${i}`))));

const request: fc.Arbitrary<AccessRequest> = fc.record({
  source: fc.oneof(identity, fc.constant('unauthenticated' as const)),
  destination: identity,
  port: fc.option(fc.constantFrom(...PORTS), { nil: undefined }),
  protocol: fc.constantFrom('http' as const, 'tcp' as const, 'udp' as const),
  method: fc.constantFrom('GET', 'POST', 'DELETE'),
  path: fc.constantFrom(...PATHS),
  header: fc.option(fc.constantFrom('1', '2', '3'), { nil: undefined }),
}).map((r) => ({
  source: r.source, destination: r.destination, protocol: r.protocol, ...(r.port !== undefined ? { port: r.port } : {}),
  ...(r.protocol === 'http' ? { http: httpParts(r.method, r.path, r.header ? [['x-v', r.header]] : []) } : {}),
}));

describe('access properties', () => {
  for (const mode of ['strict', 'permissive'] as AccessMode[]) {
    test(`${mode}: adding a TrafficTarget never removes access (monotone)`, () => {
      fc.assert(
        fc.property(routeObjects, targets, target('added'), fc.array(request, { minLength: 1, maxLength: 15 }), (routes, tts, extra, requests) => {
          const before = modelOfObjects([...routes, ...tts], mode);
          const after = modelOfObjects([...routes, ...tts, extra], mode);
          for (const r of requests) if (decide(before, r).allowed) assert.ok(decide(after, r).allowed, JSON.stringify(r));
        }),
        { numRuns: 150 },
      );
    });
  }

  test('per-destination: adding a TrafficTarget only ever locks down its own destination', () => {
    fc.assert(
      fc.property(routeObjects, targets, target('added'), fc.array(request, { minLength: 1, maxLength: 15 }), (routes, tts, extra, requests) => {
        const before = modelOfObjects([...routes, ...tts], 'per-destination');
        const after = modelOfObjects([...routes, ...tts, extra], 'per-destination');
        const locked = `${extra.metadata.namespace}/${extra.spec.destination.name}`;
        for (const r of requests) {
          if (decide(before, r).allowed && !decide(after, r).allowed) assert.equal(`${r.destination.namespace}/${r.destination.name}`, locked);
        }
      }),
      { numRuns: 150 },
    );
  });

  test('strict: without TrafficTargets everything is denied', () => {
    fc.assert(
      fc.property(routeObjects, fc.array(request, { minLength: 1, maxLength: 20 }), (routes, requests) => {
        const m = modelOfObjects(routes, 'strict');
        for (const r of requests) assert.equal(decide(m, r).allowed, false);
      }),
      { numRuns: 100 },
    );
  });

  test('an allow always names the TrafficTarget, and that target lists the caller as a source', () => {
    fc.assert(
      fc.property(routeObjects, targets, fc.array(request, { minLength: 1, maxLength: 15 }), (routes, tts, requests) => {
        const m = modelOfObjects([...routes, ...tts], 'strict');
        for (const r of requests) {
          const d = decide(m, r);
          if (!d.allowed) continue;
          const t = d.reasons[0]!.target!;
          const obj = tts.find((x) => x.metadata.name === t.name && x.metadata.namespace === t.namespace)!;
          const source = r.source;
          if (source === 'unauthenticated') assert.fail('an unauthenticated caller was allowed in strict mode');
          assert.ok(obj.spec.sources.some((s) => s.name === source.name && s.namespace === source.namespace));
          assert.equal(obj.spec.destination.name, r.destination.name);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('split properties', () => {
  const svcName = fc.constantFrom('root', 'v1', 'v2', 'v3');
  const services = fc.array(fc.record({ name: svcName, ports: fc.subarray([80, 8080, 9090], { minLength: 1 }) }), { maxLength: 4 }).map((list) =>
    [...new Map(list.map((s) => [s.name, s])).values()].map((s) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: s.name, namespace: 'a' }, spec: { selector: { app: s.name }, ports: s.ports.map((port) => ({ port })) } })),
  );
  const splitObject = fc.uniqueArray(fc.record({ service: fc.constantFrom('v1', 'v2', 'v3'), weight: fc.nat(5) }), { selector: (b) => b.service, minLength: 1, maxLength: 3 })
    .filter((bs) => bs.some((b) => b.weight > 0))
    .map((backends) => ({ apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 's', namespace: 'a' }, spec: { service: 'root', backends } }));

  test('shares sum to 1 and never name a backend without the port', () => {
    fc.assert(
      fc.property(services, splitObject, fc.option(fc.constantFrom(80, 8080, 9090), { nil: undefined }), (svcs, split, port) => {
        const m = modelOfObjects([...svcs, split]);
        const r = route(m, { service: { namespace: 'a', name: 'root' }, protocol: 'http', http: httpParts('GET', '/', []), ...(port !== undefined ? { port } : {}) });
        const root = svcs.find((s) => s.metadata.name === 'root');
        if (root && port !== undefined && !root.spec.ports.some((p) => p.port === port)) {
          assert.deepEqual(r.backends, []);
          return;
        }
        const sum = r.backends.reduce((s, b) => s + b.share, 0);
        assert.ok(Math.abs(sum - 1) < 1e-9, `shares sum to ${sum}`);
        for (const b of r.backends) {
          assert.ok(b.share > 0);
          if (!root || b.service === 'a/root') continue;
          const backend = svcs.find((s) => `a/${s.metadata.name}` === b.service);
          assert.ok(backend, `${b.service} is not a known Service`);
          const shared = port !== undefined ? backend.spec.ports.some((p) => p.port === port) : backend.spec.ports.some((p) => root.spec.ports.some((q) => q.port === p.port));
          assert.ok(shared, `${b.service} got traffic without the port`);
        }
      }),
      { numRuns: 300 },
    );
  });
});
