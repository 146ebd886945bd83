/** fast-check generators of valid SMI objects, one per kind and version. */
import fc from 'fast-check';

export const dnsName = fc.stringMatching(/^[a-z]([a-z0-9-]{0,8}[a-z0-9])?$/);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

/** Removes undefined keys so generated objects look like parsed YAML. */
export function clean<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export const metadata = fc.record(
  {
    name: dnsName,
    namespace: optional(dnsName),
    labels: optional(fc.dictionary(dnsName, dnsName, { minKeys: 1, maxKeys: 2 })),
    annotations: optional(fc.dictionary(fc.constantFrom('a.io/x', 'team', 'note'), fc.string({ maxLength: 8 }), { minKeys: 1, maxKeys: 2 })),
  },
  { requiredKeys: ['name'] },
);

const identity = fc.record({ kind: fc.constant('ServiceAccount'), name: dnsName, namespace: optional(dnsName) }, { requiredKeys: ['kind', 'name'] });
const port = fc.integer({ min: 1, max: 65535 });
const ruleOf = (kinds: string[]) =>
  fc.record({ kind: fc.constantFrom(...kinds), name: dnsName, matches: optional(fc.array(dnsName, { maxLength: 3 })) }, { requiredKeys: ['kind', 'name'] });

const method = fc.constantFrom('*', 'GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH');
const regex = fc.constantFrom('/api', '/books/.*', '.*', '/a|/b', '/v[0-9]+/items', '(?i)/x');
const headerName = fc.constantFrom('user-agent', 'cookie', 'x-canary', 'X-Version');
// Both written forms: the spec's map, and the list of single-entry maps OSM and the SDK's CRD store.
const headers = fc.oneof(fc.dictionary(headerName, regex, { maxKeys: 2 }), fc.array(fc.dictionary(headerName, regex, { minKeys: 1, maxKeys: 1 }), { maxLength: 3 }));
const matchV1 = fc.record({ name: dnsName, pathRegex: optional(regex), methods: optional(fc.array(method, { maxLength: 3 })) }, { requiredKeys: ['name'] });
const match = fc.record(
  { name: dnsName, pathRegex: optional(regex), methods: optional(fc.array(method, { maxLength: 3 })), headers: optional(headers) },
  { requiredKeys: ['name'] },
);
const quantity = fc.oneof(fc.nat({ max: 1000 }), fc.constantFrom('10m', '100m', '1500m', '1', '0m', '2k', '1.5', '250m', '3'));
const backendsInt = fc.array(fc.record({ service: dnsName, weight: fc.nat({ max: 1000 }) }), { minLength: 1, maxLength: 4 });
const groupRefs = fc.array(fc.record({ kind: fc.constant('HTTPRouteGroup'), name: dnsName }), { maxLength: 2 });


/** v1alpha1/v1alpha2 destinations, which may name a port. */
const destinationWithPort = fc.record({ kind: fc.constant('ServiceAccount'), name: dnsName, namespace: optional(dnsName), port: optional(port) }, { requiredKeys: ['kind', 'name'] });

const arbitraries: Record<string, fc.Arbitrary<unknown>> = {
  'access.smi-spec.io/v1alpha1/TrafficTarget': fc.record({
    metadata,
    destination: destinationWithPort,
    specs: fc.array(ruleOf(['HTTPRouteGroup', 'TCPRoute']), { minLength: 1, maxLength: 3 }),
    sources: fc.array(identity, { minLength: 1, maxLength: 3 }),
  }),
  'access.smi-spec.io/v1alpha2/TrafficTarget': fc.record({
    metadata,
    spec: fc.record({
      destination: destinationWithPort,
      rules: fc.array(ruleOf(['HTTPRouteGroup', 'TCPRoute']), { minLength: 1, maxLength: 3 }),
      sources: fc.array(identity, { minLength: 1, maxLength: 3 }),
    }),
  }),
  'access.smi-spec.io/v1alpha3/TrafficTarget': fc.record({
    metadata,
    spec: fc.record({
      destination: identity,
      rules: fc.array(ruleOf(['HTTPRouteGroup', 'TCPRoute', 'UDPRoute']), { minLength: 1, maxLength: 3 }),
      sources: fc.array(identity, { minLength: 1, maxLength: 3 }),
    }),
  }),
  'access.smi-spec.io/v1alpha4/IdentityBinding': fc.record({
    metadata,
    spec: fc.record({ schemes: fc.record({ serviceAccount: optional(dnsName), spiffeIdentities: optional(fc.array(fc.constant('cluster.local/ns/a/sa/b'))) }) }),
  }),
  'specs.smi-spec.io/v1alpha1/HTTPRouteGroup': fc.record({ metadata, matches: fc.array(matchV1, { maxLength: 3 }) }),
  'specs.smi-spec.io/v1alpha2/HTTPRouteGroup': fc.record({ metadata, matches: fc.array(match, { maxLength: 3 }) }),
  'specs.smi-spec.io/v1alpha3/HTTPRouteGroup': fc.record({ metadata, spec: fc.record({ matches: fc.array(match, { maxLength: 3 }) }) }),
  'specs.smi-spec.io/v1alpha4/HTTPRouteGroup': fc.record({ metadata, spec: fc.record({ matches: fc.array(match, { maxLength: 3 }) }) }),
  'specs.smi-spec.io/v1alpha1/TCPRoute': fc.record({ metadata }),
  'specs.smi-spec.io/v1alpha2/TCPRoute': fc.record({ metadata }),
  'specs.smi-spec.io/v1alpha3/TCPRoute': fc.record({ metadata, spec: optional(fc.constant({})) }, { requiredKeys: ['metadata'] }),
  'specs.smi-spec.io/v1alpha4/TCPRoute': fc.record(
    { metadata, spec: optional(fc.record({ matches: optional(fc.record({ ports: optional(fc.array(port, { maxLength: 3 })) }, { requiredKeys: [] })) }, { requiredKeys: [] })) },
    { requiredKeys: ['metadata'] },
  ),
  'specs.smi-spec.io/v1alpha4/UDPRoute': fc.record({ metadata, spec: fc.record({ matches: fc.record({ ports: fc.array(port, { maxLength: 3 }) }) }) }),
  'split.smi-spec.io/v1alpha1/TrafficSplit': fc.record({
    metadata,
    spec: fc.record({ service: dnsName, backends: fc.array(fc.record({ service: dnsName, weight: quantity }), { minLength: 1, maxLength: 4 }) }),
  }),
  'split.smi-spec.io/v1alpha2/TrafficSplit': fc.record({ metadata, spec: fc.record({ service: dnsName, backends: backendsInt }) }),
  'split.smi-spec.io/v1alpha3/TrafficSplit': fc.record({
    metadata,
    spec: fc.record({ service: dnsName, matches: optional(groupRefs), backends: backendsInt }, { requiredKeys: ['service', 'backends'] }),
  }),
  'split.smi-spec.io/v1alpha4/TrafficSplit': fc.record({
    metadata,
    spec: fc.record({ service: dnsName, matches: optional(groupRefs), backends: backendsInt }, { requiredKeys: ['service', 'backends'] }),
  }),
};

const ref = fc.record({ kind: fc.constantFrom('Pod', 'Deployment'), name: dnsName, namespace: dnsName });
const metric = fc.record({ name: fc.constantFrom('p50_response_latency', 'success_count'), unit: optional(fc.constant('ms')), value: fc.constantFrom('10m', '100') });
const metricsItem = (backendKey: 'name' | 'leaf') =>
  fc.record(
    {
      resource: ref,
      edge: optional(fc.record({ direction: fc.constantFrom('to', 'from'), side: optional(fc.constantFrom('client', 'server')), resource: optional(ref) }, { requiredKeys: ['direction'] })),
      backend: optional(fc.record({ apex: dnsName, [backendKey]: dnsName, weight: fc.nat(100) })),
      timestamp: fc.constant('2026-01-01T00:00:00Z'),
      window: fc.constantFrom('30s', '1m'),
      metrics: fc.array(metric, { maxLength: 3 }),
    },
    { requiredKeys: ['resource', 'timestamp', 'window', 'metrics'] },
  );
arbitraries['metrics.smi-spec.io/v1alpha1/TrafficMetrics'] = metricsItem('name');
arbitraries['metrics.smi-spec.io/v1alpha2/TrafficMetrics'] = metricsItem('leaf');
arbitraries['metrics.smi-spec.io/v1alpha1/TrafficMetricsList'] = fc.record({ resource: ref, items: fc.array(metricsItem('name'), { maxLength: 2 }) });
arbitraries['metrics.smi-spec.io/v1alpha2/TrafficMetricsList'] = fc.record({ resource: ref, items: fc.array(metricsItem('leaf'), { maxLength: 2 }) });

/** A valid object of the given group/version and kind. */
export function objectOf(group: string, version: string, kind: string): fc.Arbitrary<Record<string, unknown>> {
  const arb = arbitraries[`${group}/${version}/${kind}`];
  if (!arb) throw new Error(`no arbitrary for ${group}/${version}/${kind}`);
  return arb.map((fields) => clean({ apiVersion: `${group}/${version}`, kind, ...(fields as object) }));
}
