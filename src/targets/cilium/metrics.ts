/** Hubble's HTTP metrics (httpV2) from Cilium's L7 proxy, with the workload context its labelsContext option adds. */
import { labelled, type MeshMetrics } from '../metrics-spec.js';

export const CILIUM_METRICS: MeshMetrics = {
  edgeEnds: 'Hubble: workload → workload',
  requests: 'hubble_http_requests_total', buckets: 'hubble_http_request_duration_seconds_bucket', seconds: true,
  base: ['reporter="server"'], namespace: 'destination_namespace',
  name: { deployments: 'destination_workload', daemonsets: 'destination_workload', statefulsets: 'destination_workload', pods: 'destination_pod' },
  success: 'status!~"5.."', failure: 'status=~"5.."',
  edges: {
    from: labelled('server', ['reporter="server"'], { namespace: 'destination_namespace', name: 'destination_workload' }, { namespace: 'source_namespace', name: 'source_workload' }),
    to: labelled('client', ['reporter="client"'], { namespace: 'source_namespace', name: 'source_workload' }, { namespace: 'destination_namespace', name: 'destination_workload' }),
  },
  required: {
    labels: ['destination_namespace', 'destination_workload'],
    fix: 'enable them in Cilium\'s Helm values: hubble.metrics.enabled with "httpV2:labelsContext=source_namespace,source_workload,destination_namespace,destination_workload,destination_pod" (docs/metrics.md)',
  },
  // Hubble's context labels name workloads and pods, not the Service a request was sent to: no split figures.
  edgeTraffic: (window) => {
    // Both ends' workloads; a source without one is outside the cluster's pods.
    const by = 'source_namespace, source_workload, destination_namespace, destination_workload';
    return {
      total: `sum by (${by}) (increase(hubble_http_requests_total{reporter="server"}[${window}]))`,
      failed: `sum by (${by}) (increase(hubble_http_requests_total{reporter="server", status=~"5.."}[${window}]))`,
      p99: `1000 * histogram_quantile(0.99, sum by (le, ${by}) (rate(hubble_http_request_duration_seconds_bucket{reporter="server"}[${window}])))`,
      key: ({ metric: m }) => (m.destination_namespace && m.destination_workload
        ? { source: m.source_namespace && m.source_workload ? { workload: { namespace: m.source_namespace, name: m.source_workload } } : 'unauthenticated', destination: { namespace: m.destination_namespace, name: m.destination_workload } }
        : undefined),
    };
  },
};
