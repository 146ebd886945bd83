/**
 * Random worlds for equivalence tests: an inventory (Services, workloads with labels and
 * ServiceAccounts) and SMI objects over it, plus random access and route requests. Pools mix regexes
 * every mesh can express with ones some cannot, so both exact and narrowed translations are tested.
 */
import fc from 'fast-check';
import { httpParts, type AccessRequest, type RouteRequest } from '../../src/policy/request.js';
import type { AccessMode } from '../../src/policy/model.js';

// Besides two application namespaces, the system namespaces real clusters have: Istio's root namespace
// (where a policy reaches every namespace), Linkerd's and Consul's control planes, and kube-system.
export const NAMESPACES = ['a', 'b', 'istio-system', 'linkerd', 'consul', 'kube-system'];
const SYSTEM = new Set(NAMESPACES.slice(2));
/** Application namespaces and Consul's own: where one Consul namespace's shared names are the subject. */
export const CONSUL_NAMESPACES = ['a', 'b', 'consul'];
export const ACCOUNTS = ['s0', 's1', 's2', 's3'];
const SERVICES = ['r', 'v1', 'v2', 'v3'];
export const PATHS = ['/', '/a', '/api', '/api/v1', '/apix', '/exact', '/exact/x', '/v1/x', '/CASE', '/b/c'];
/**
 * Requests as they arrive, not only as policies are written: query strings (which some meshes match
 * with the path), dot segments, repeated slashes, escaped unreserved characters and backslashes
 * (which some meshes normalise before matching).
 */
export const RAW_PATHS = [...PATHS, '/api?x=1', '/exact?verbose=1', '/nope?q=/api', '/x?/exact', '/b/c?x=/a', '/a/../api', '/api/./v1', '//api', '/api//v1', '/%61pi', '/exact/.', '/api\\v1', '/v1/x/..'];
const PATH_REGEXES = ['/api', '/api/.*', '.*', '/exact$', '/a|/b', '/v[0-9]+/x', '(?i)/case', '/api/v1', '.*api', '/v[^/]+/x$', '.*exact$'];
// Both forms the field wrote: the spec's map and OSM's list of maps, which can name a header twice (AND).
const HEADER_FILTERS: (Record<string, string> | Record<string, string>[])[] = [
  { 'x-v': '1|2' }, { 'user-agent': '.*Firefox.*' }, { 'x-t': 'abc' }, { 'x-v': '.*' },
  [{ 'x-v': '1|2' }, { 'x-t': 'ab' }], [{ 'x-v': '1|2' }, { 'X-V': '2|3' }], [{ 'x-t': 'abc' }, { 'x-t': 'abc' }],
];
const HEADER_VALUES: [string, string][] = [['x-v', '1'], ['x-v', '2'], ['x-v', '3'], ['x-v', ''], ['user-agent', 'Mozilla Firefox/1'], ['x-t', 'abcd'], ['x-t', 'ab']];

export interface World {
  readonly objects: Record<string, unknown>[];
  readonly mode: AccessMode;
  /** Namespaces named explicitly (-n), system ones included; otherwise the scope is derived. */
  readonly scope?: readonly string[];
}

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

const workload = (ns: string, i: number) =>
  fc.record({
    sa: fc.constantFrom(...ACCOUNTS),
    app: fc.constantFrom('x', 'y', `w${i}`),
    version: optional(fc.constantFrom('v1', 'v2')),
    tcp: fc.subarray([80, 8080]),
    udp: fc.boolean(),
    // Sometimes the Pod itself, as a cluster dump holds it: with the per-rollout labels its ReplicaSet added.
    pod: fc.constantFrom(false, false, true),
  }).map((w) => {
    const labels = { app: w.app, ...(w.version ? { version: w.version } : {}) };
    const spec = { serviceAccountName: w.sa, containers: [{ name: 'c', image: 'i', ports: [...w.tcp.map((p) => ({ containerPort: p })), ...(w.udp ? [{ containerPort: 53, protocol: 'UDP' }] : [])] }] };
    if (w.pod) return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `w${i}-6d4cf56db6-${i}x`, namespace: ns, labels: { ...labels, 'pod-template-hash': `6d4cf56db${i}` } }, spec };
    return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `w${i}`, namespace: ns }, spec: { selector: { matchLabels: { app: w.app } }, template: { metadata: { labels }, spec } } };
  });

const service = (ns: string, name: string) =>
  // Port names and appProtocol as the field writes them: some meshes read the protocol from them (Istio, Linkerd's opaque ports).
  fc.record({ ports: fc.subarray([80, 8080], { minLength: 1 }), app: fc.constantFrom('x', 'y'), naming: fc.constantFrom('plain', 'plain', 'http', 'tcp', 'app-tcp', 'app-http', 'app-opaque') }).map((s) => ({
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: {
      selector: { app: s.app },
      ports: s.ports.map((port) => ({
        name: s.naming === 'http' ? `http-p${port}` : s.naming === 'tcp' ? `tcp-p${port}` : `p${port}`, port,
        ...(s.naming === 'app-tcp' ? { appProtocol: 'tcp' } : s.naming === 'app-http' ? { appProtocol: 'http' } : s.naming === 'app-opaque' ? { appProtocol: 'linkerd.io/opaque' } : {}),
      })),
    },
  }));

const match = fc.record(
  { name: fc.constantFrom('m0', 'm1', 'm2'), pathRegex: optional(fc.constantFrom(...PATH_REGEXES)), methods: optional(fc.subarray(['GET', 'POST', '*'], { minLength: 1 })), headers: optional(fc.constantFrom(...HEADER_FILTERS)) },
  { requiredKeys: ['name'] },
);

const routes = (ns: string) =>
  fc.tuple(fc.uniqueArray(match, { selector: (m) => m.name, minLength: 1, maxLength: 3 }), fc.subarray([80, 8080]), fc.subarray([53])).map(([matches, tcp, udp]) => [
    { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'HTTPRouteGroup', metadata: { name: 'g', namespace: ns }, spec: { matches: json(matches) } },
    { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'TCPRoute', metadata: { name: 't', namespace: ns }, spec: { matches: { ports: tcp } } },
    { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'UDPRoute', metadata: { name: 'u', namespace: ns }, spec: { matches: { ports: udp } } },
  ]);

const rule = fc.oneof(
  fc.record({ kind: fc.constant('HTTPRouteGroup'), name: fc.constantFrom('g', 'g', 'missing'), matches: optional(fc.subarray(['m0', 'm1', 'm2'], { minLength: 1 })) }, { requiredKeys: ['kind', 'name'] }),
  fc.record({ kind: fc.constant('TCPRoute'), name: fc.constant('t') }),
  fc.record({ kind: fc.constant('UDPRoute'), name: fc.constant('u') }),
);

/** Worlds over these namespaces: the default mixes application and system namespaces. */
export function worldsOver(namespaces: readonly string[]) {
  // TrafficTargets mostly where applications live, sometimes in a system namespace (out of scope unless named).
  const applications = namespaces.filter((ns) => !SYSTEM.has(ns));
  const targetNamespace = fc.oneof({ arbitrary: fc.constantFrom(...applications), weight: 3 }, { arbitrary: fc.constantFrom(...namespaces), weight: 1 });
  const identity = fc.record({ namespace: fc.constantFrom(...namespaces), name: fc.constantFrom(...ACCOUNTS) });

  const trafficTarget = (i: number) =>
    fc.record({ ns: targetNamespace, dest: fc.constantFrom(...ACCOUNTS), rules: fc.array(rule, { minLength: 1, maxLength: 3 }), sources: fc.array(identity, { minLength: 1, maxLength: 3 }), legacyPort: optional(fc.constantFrom(80, 8080)) }).map((t) => {
      // Sometimes a v1alpha2 target with a destination port (only HTTP/TCP rules exist there).
      const legacy = t.legacyPort !== undefined && t.rules.every((r) => r.kind !== 'UDPRoute');
      return {
        apiVersion: legacy ? 'access.smi-spec.io/v1alpha2' : 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: `tt${i}`, namespace: t.ns },
        spec: {
          destination: { kind: 'ServiceAccount', name: t.dest, namespace: t.ns, ...(legacy ? { port: t.legacyPort } : {}) },
          rules: json(t.rules), sources: t.sources.map((s) => ({ kind: 'ServiceAccount', ...s })),
        },
      };
    });

  const trafficSplit = (ns: string, root: string) =>
    fc.record({
      backends: fc.uniqueArray(fc.record({ service: fc.constantFrom('v1', 'v2', 'v3', root), weight: fc.nat(7) }), { selector: (b) => b.service, minLength: 1, maxLength: 3 }).filter((bs) => bs.some((b) => b.weight > 0)),
      matches: fc.boolean(),
    }).map((s) => ({
      apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: `split-${root}`, namespace: ns },
      spec: { service: root, ...(s.matches ? { matches: [{ kind: 'HTTPRouteGroup', name: 'g' }] } : {}), backends: s.backends },
    }));

  // OSM's IngressBackend, as clusters leaving OSM hold it: its grants join SMI's (src/policy/osm-policy.ts).
  const ingressSource = fc.oneof(
    fc.record({ kind: fc.constant('Service'), namespace: fc.constantFrom(...namespaces), name: fc.constantFrom(...SERVICES) }),
    fc.record({ kind: fc.constant('AuthenticatedPrincipal'), ns: fc.constantFrom(...namespaces), sa: fc.constantFrom(...ACCOUNTS) }).map((p) => ({ kind: 'AuthenticatedPrincipal', name: `${p.sa}.${p.ns}.cluster.local` })),
    fc.constant({ kind: 'IPRange', name: '10.0.0.0/8' }),
  );
  const ingressBackend = (i: number) =>
    fc.record({ ns: targetNamespace, service: fc.constantFrom(...SERVICES), port: fc.constantFrom(80, 8080), protocol: fc.constantFrom('http', 'https'), sources: fc.array(ingressSource, { minLength: 1, maxLength: 2 }) }).map((b) => ({
      apiVersion: 'policy.openservicemesh.io/v1alpha1', kind: 'IngressBackend', metadata: { name: `ib${i}`, namespace: b.ns },
      spec: { backends: [{ name: b.service, port: { number: b.port, protocol: b.protocol } }], sources: json(b.sources) },
    }));

  const worlds: fc.Arbitrary<World> = fc
    .record({
      mode: fc.constantFrom<AccessMode>('strict', 'strict', 'per-destination', 'permissive'),
      // Mostly the derived scope (system namespaces left alone); sometimes every namespace named with -n.
      explicit: fc.constantFrom(false, false, false, true),
      workloads: fc.tuple(...namespaces.map((ns) => fc.integer({ min: 0, max: SYSTEM.has(ns) ? 2 : 5 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => workload(ns, i)))))),
      services: fc.tuple(...namespaces.flatMap((ns) => SERVICES.map((name) => optional(service(ns, name))))),
      routes: fc.tuple(...namespaces.map(routes)),
      targets: fc.integer({ min: 0, max: 6 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => trafficTarget(i)))),
      splits: fc.tuple(optional(trafficSplit('a', 'r')), optional(trafficSplit('b', 'r'))),
      ingress: fc.integer({ min: 0, max: 2 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => ingressBackend(i)))),
    })
    .map((w) => ({
      mode: w.mode,
      ...(w.explicit ? { scope: namespaces } : {}),
      objects: [...w.workloads.flat(), ...w.services.filter((s) => s !== undefined), ...w.routes.flat(), ...w.targets, ...w.splits.filter((s) => s !== undefined), ...w.ingress] as Record<string, unknown>[],
    }));

  const http = fc.record({ method: fc.constantFrom('GET', 'POST', 'DELETE'), path: fc.constantFrom(...RAW_PATHS), headers: fc.subarray(HEADER_VALUES, { maxLength: 2 }) });

  const accessRequests: fc.Arbitrary<AccessRequest[]> = fc.array(
    fc.record({
      source: fc.oneof(identity, identity, fc.constant('unauthenticated' as const)),
      destination: identity,
      port: optional(fc.constantFrom(80, 8080, 53)),
      protocol: fc.constantFrom('http' as const, 'http' as const, 'tcp' as const, 'udp' as const),
      http,
    }).map((r) => ({
      source: r.source, destination: r.destination, protocol: r.protocol, ...(r.port !== undefined ? { port: r.port } : {}),
      ...(r.protocol === 'http' ? { http: httpParts(r.http.method, r.http.path, r.http.headers) } : {}),
    })),
    { minLength: 10, maxLength: 30 },
  );

  const routeRequests: fc.Arbitrary<RouteRequest[]> = fc.array(
    fc.record({ namespace: fc.constantFrom(...namespaces), name: fc.constantFrom(...SERVICES), port: fc.constantFrom(80, 8080), protocol: fc.constantFrom('http' as const, 'http' as const, 'tcp' as const), http }).map((r) => ({
      service: { namespace: r.namespace, name: r.name }, port: r.port, protocol: r.protocol,
      ...(r.protocol === 'http' ? { http: httpParts(r.http.method, r.http.path, r.http.headers) } : {}),
    })),
    { minLength: 5, maxLength: 15 },
  );

  /**
   * A world with requests half of which are aimed at what its TrafficTargets grant (their sources,
   * destinations and ports), so that "allowed" outcomes — where translations can go wrong — are common.
   */
  const worldsWithRequests: fc.Arbitrary<[World, AccessRequest[], RouteRequest[]]> = worlds.chain((world) => {
    const targets = world.objects.filter((o) => o.kind === 'TrafficTarget') as { metadata: { namespace: string }; spec: { destination: { name: string; namespace: string }; sources: { name: string; namespace: string }[] } }[];
    if (targets.length === 0) return fc.tuple(fc.constant(world), accessRequests, routeRequests);
    const aimed = fc.record({ t: fc.constantFrom(...targets), i: fc.nat(5), port: fc.constantFrom(80, 8080), http, tcp: fc.boolean() }).map(({ t, i, port, http: h, tcp }): AccessRequest => {
      const source = t.spec.sources[i % t.spec.sources.length]!;
      return {
        source: { namespace: source.namespace, name: source.name }, destination: { namespace: t.spec.destination.namespace, name: t.spec.destination.name }, port,
        protocol: tcp ? 'tcp' : 'http', ...(tcp ? {} : { http: httpParts(h.method, h.path, h.headers) }),
      };
    });
    return fc.tuple(fc.constant(world), fc.tuple(accessRequests, fc.array(aimed, { minLength: 10, maxLength: 30 })).map(([a, b]) => [...a, ...b]), routeRequests);
  });
  return { worlds, accessRequests, routeRequests, worldsWithRequests };
}

export const { worlds, accessRequests, routeRequests, worldsWithRequests } = worldsOver(NAMESPACES);
