/**
 * Consul's Envoy statistics: the inbound cluster local_app on the server side; on the client side a
 * sidecar tags its upstream clusters with the Consul service called (consul_destination_*) and every
 * statistic with its own (consul_source_*). The inbound statistics do not name the caller.
 */
import { ENVOY_NAMES, quote, WORKLOAD_LABELS, workloadOf, type EdgeSelf, type MeshMetrics } from '../metrics-spec.js';

/** The Consul service a resource's own sidecar reports (consul_source_*), relabelled as the callers' upstream labels, to join their outbound series on. */
function consulSelf(self: EdgeSelf): string {
  const own = `group by (consul_source_service, consul_source_namespace) (envoy_cluster_upstream_rq_xx{namespace=${quote(self.namespace)}, ${ENVOY_NAMES[self.kind]}=${quote(self.name)}, consul_source_service!=""})`;
  return `label_replace(label_replace(${own}, "consul_destination_service", "$1", "consul_source_service", "(.+)"), "consul_destination_namespace", "$1", "consul_source_namespace", "(.*)")`;
}

export const CONSUL_METRICS: MeshMetrics = {
  edgeEnds: "the callers' sidecars: workload → the Service called",
  requests: 'envoy_cluster_upstream_rq_xx', buckets: 'envoy_cluster_upstream_rq_time_bucket',
  base: ['envoy_cluster_name="local_app"'], namespace: 'namespace', name: ENVOY_NAMES,
  success: 'envoy_response_code_class!="5"', failure: 'envoy_response_code_class="5"',
  edges: {
    from: {
      side: 'client', peer: (kind) => ({ namespace: 'namespace', name: ENVOY_NAMES[kind] }),
      select: (self) => ({
        matchers: ['consul_destination_service!=""'],
        // The callers' requests to the Consul service the resource's own sidecar reports it is.
        wrap: (v) => `${v} * on (consul_destination_service, consul_destination_namespace) group_left () ${consulSelf(self)}`,
      }),
    },
    to: {
      side: 'client', peerKind: 'Service', peer: () => ({ namespace: 'consul_destination_namespace', name: 'consul_destination_service' }),
      select: (self) => ({ matchers: [`namespace=${quote(self.namespace)}`, `${ENVOY_NAMES[self.kind]}=${quote(self.name)}`, 'consul_destination_service!=""'] }),
    },
  },
  splitBackend: (_namespace, service) => [`consul_destination_service=${quote(service)}`],
  edgeTraffic: (window) => {
    // The callers' upstream clusters, tagged with the Consul service called.
    const by = `namespace, ${WORKLOAD_LABELS.join(', ')}, consul_destination_service, consul_destination_namespace`;
    const sel = 'consul_destination_service!=""';
    return {
      total: `sum by (${by}) (increase(envoy_cluster_upstream_rq_xx{${sel}}[${window}]))`,
      failed: `sum by (${by}) (increase(envoy_cluster_upstream_rq_xx{${sel}, envoy_response_code_class="5"}[${window}]))`,
      p99: `histogram_quantile(0.99, sum by (le, ${by}) (rate(envoy_cluster_upstream_rq_time_bucket{${sel}}[${window}])))`,
      key: ({ metric: m }) => {
        const caller = workloadOf(m);
        return caller && m.consul_destination_service ? { source: { workload: caller }, destination: { service: { ...(m.consul_destination_namespace ? { namespace: m.consul_destination_namespace } : {}), name: m.consul_destination_service } } } : undefined;
      },
    };
  },
};
