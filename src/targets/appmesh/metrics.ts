/**
 * App Mesh's Envoy statistics: inbound clusters cds_ingress_<mesh>_<node>_<protocol>_<port> on the
 * server side; on the client side an egress cluster cds_egress_<mesh>_<virtual node>_<namespace>_<protocol>_<port>
 * names the virtual node called, smi's "<service>--service" node of a Service (routing.ts).
 */
import { ENVOY_NAMES, escapeRegex, quote, WORKLOAD_LABELS, workloadOf, type MeshMetrics } from '../metrics-spec.js';
import { serviceNodeName } from './routing.js';

/** Egress clusters (Kubernetes names hold no "_"). */
export const APPMESH_EGRESS_MATCHER = 'envoy_cluster_name=~"cds_egress_.+_[^_]+_[^_]+_(http|http2|grpc|tcp)_[0-9]+"';

/** Labels smi_peer_service and smi_peer_namespace, from an egress cluster's name: smi's "<service>--service" node. */
export function appMeshEgressPeer(vector: string): string {
  const service = 'cds_egress_.+_([^_]+)--service_[^_]+_(http|http2|grpc|tcp)_[0-9]+';
  const namespace = 'cds_egress_.+_[^_]+_([^_]+)_(http|http2|grpc|tcp)_[0-9]+';
  return `label_replace(label_replace(${vector}, "smi_peer_service", "$1", "envoy_cluster_name", "${service}"), "smi_peer_namespace", "$1", "envoy_cluster_name", "${namespace}")`;
}

const egressTo = (namespace: string, services: readonly string[]): string =>
  `envoy_cluster_name=~${quote(`cds_egress_.+_(${services.map((s) => escapeRegex(serviceNodeName(s))).join('|')})_${escapeRegex(namespace)}_(http|http2|grpc|tcp)_[0-9]+`)}`;

export const APPMESH_METRICS: MeshMetrics = {
  edgeEnds: "the callers' sidecars: workload → the Service called",
  requests: 'envoy_cluster_upstream_rq_xx', buckets: 'envoy_cluster_upstream_rq_time_bucket',
  base: ['envoy_cluster_name=~"cds_ingress_.*"'], namespace: 'namespace', name: ENVOY_NAMES,
  success: 'envoy_response_code_class!="5"', failure: 'envoy_response_code_class="5"',
  // Who calls a workload: the callers of the Services in front of it (read from the cluster).
  edges: {
    from: {
      side: 'client', needsFronting: true, peer: (kind) => ({ namespace: 'namespace', name: ENVOY_NAMES[kind] }),
      select: (self) => (self.fronting && self.fronting.length > 0 ? { matchers: [egressTo(self.namespace, self.fronting)] } : undefined),
    },
    to: {
      side: 'client', peerKind: 'Service', peer: () => ({ namespace: 'smi_peer_namespace', name: 'smi_peer_service' }),
      select: (self) => ({
        matchers: [`namespace=${quote(self.namespace)}`, `${ENVOY_NAMES[self.kind]}=${quote(self.name)}`, APPMESH_EGRESS_MATCHER],
        wrap: appMeshEgressPeer,
      }),
    },
  },
  splitBackend: (namespace, service) => [`envoy_cluster_name=~${quote(`cds_egress_.+_${escapeRegex(serviceNodeName(service))}_${escapeRegex(namespace)}_(http|http2|grpc|tcp)_[0-9]+`)}`],
  edgeTraffic: (window) => {
    // The callers' egress clusters, named after smi's virtual node of the Service called.
    const by = `namespace, ${WORKLOAD_LABELS.join(', ')}, smi_peer_namespace, smi_peer_service`;
    const sel = APPMESH_EGRESS_MATCHER;
    return {
      total: `sum by (${by}) (${appMeshEgressPeer(`increase(envoy_cluster_upstream_rq_xx{${sel}}[${window}])`)})`,
      failed: `sum by (${by}) (${appMeshEgressPeer(`increase(envoy_cluster_upstream_rq_xx{${sel}, envoy_response_code_class="5"}[${window}])`)})`,
      p99: `histogram_quantile(0.99, sum by (le, ${by}) (${appMeshEgressPeer(`rate(envoy_cluster_upstream_rq_time_bucket{${sel}}[${window}])`)}))`,
      key: ({ metric: m }) => {
        const caller = workloadOf(m);
        return caller && m.smi_peer_service && m.smi_peer_namespace ? { source: { workload: caller }, destination: { service: { namespace: m.smi_peer_namespace, name: m.smi_peer_service } } } : undefined;
      },
    };
  },
};
