/**
 * Traffic per caller and destination over a window, from a mesh's metrics (pure: the PromQL, and
 * the parse of what Prometheus answers): requests per second, the share that succeeded, and the
 * 99th percentile latency. Each mesh names the two ends as its metrics can: Istio and Linkerd the
 * caller's identity and the destination workload (server side); Cilium (Hubble) both workloads;
 * Consul and App Mesh the calling workload and the Service it called (client side: the callers'
 * upstream clusters), which the dashboard maps onto ServiceAccounts through the inventory.
 */
import { firstLabel, linkerdIdentity, spiffe, WORKLOAD_LABELS } from './flows.js';
import { appMeshEgressPeer, APPMESH_EGRESS_MATCHER, windowSeconds, type MetricsMesh } from './promql.js';
import type { Sample } from './prometheus.js';

interface Named { readonly namespace: string; readonly name: string }

export interface ObservedEdge {
  /** The caller's ServiceAccount, its workload (when that is what the metrics name), or 'unauthenticated' (no mesh identity). */
  readonly source: Named | { readonly workload: Named } | 'unauthenticated';
  /** The workload that received the requests, or the Service the caller sent them to (client-side metrics). */
  readonly destination: Named | { readonly service: { readonly namespace?: string; readonly name: string } };
  readonly requestsPerSecond: number;
  /** 0–1; undefined when no request was seen. */
  readonly successRate?: number;
  /** Milliseconds; undefined when the histogram had nothing in the window. */
  readonly p99Ms?: number;
}

export interface EdgeTrafficQueries {
  readonly total: string;
  readonly failed: string;
  readonly p99: string;
  /** The key of an edge in a sample of any of the three, or undefined when it names no workload. */
  key(sample: Sample): { source: ObservedEdge['source']; destination: ObservedEdge['destination'] } | undefined;
}

const endOf = (e: ObservedEdge['source'] | ObservedEdge['destination']): string =>
  e === 'unauthenticated' ? '-' : 'workload' in e ? `workload:${e.workload.namespace}/${e.workload.name}` : 'service' in e ? `service:${e.service.namespace ?? ''}/${e.service.name}` : `${e.namespace}/${e.name}`;
const keyOf = (e: Pick<ObservedEdge, 'source' | 'destination'>) => `${endOf(e.source)} ${endOf(e.destination)}`;

/** The workload of a pod's own series, from the labels its scrape configuration gives it. */
const workloadOf = (m: Readonly<Record<string, string>>): Named | undefined => {
  const name = firstLabel(m, WORKLOAD_LABELS);
  return name && m.namespace ? { namespace: m.namespace, name } : undefined;
};

export function edgeTrafficQueries(mesh: MetricsMesh, window: string): EdgeTrafficQueries | undefined {
  switch (mesh) {
    case 'istio': {
      const by = 'source_principal, destination_workload, destination_workload_namespace';
      return {
        total: `sum by (${by}) (increase(istio_requests_total{reporter="destination"}[${window}]))`,
        failed: `sum by (${by}) (increase(istio_requests_total{reporter="destination", response_code=~"5.."}[${window}]))`,
        p99: `histogram_quantile(0.99, sum by (le, ${by}) (rate(istio_request_duration_milliseconds_bucket{reporter="destination"}[${window}])))`,
        key: ({ metric: m }) => (m.destination_workload && m.destination_workload_namespace
          ? { source: spiffe(m.source_principal) ?? 'unauthenticated', destination: { namespace: m.destination_workload_namespace, name: m.destination_workload } }
          : undefined),
      };
    }
    case 'linkerd': {
      const by = `client_id, namespace, ${WORKLOAD_LABELS.join(', ')}`;
      return {
        total: `sum by (${by}) (increase(response_total{direction="inbound"}[${window}]))`,
        failed: `sum by (${by}) (increase(response_total{direction="inbound", classification="failure"}[${window}]))`,
        p99: `histogram_quantile(0.99, sum by (le, ${by}) (rate(response_latency_ms_bucket{direction="inbound"}[${window}])))`,
        key: ({ metric: m }) => {
          const destination = workloadOf(m);
          return destination ? { source: linkerdIdentity(m.client_id) ?? 'unauthenticated', destination } : undefined;
        },
      };
    }
    case 'cilium': {
      // Hubble's context labels: both ends' workloads; a source without one is outside the cluster's pods.
      const by = 'source_namespace, source_workload, destination_namespace, destination_workload';
      return {
        total: `sum by (${by}) (increase(hubble_http_requests_total{reporter="server"}[${window}]))`,
        failed: `sum by (${by}) (increase(hubble_http_requests_total{reporter="server", status=~"5.."}[${window}]))`,
        p99: `1000 * histogram_quantile(0.99, sum by (le, ${by}) (rate(hubble_http_request_duration_seconds_bucket{reporter="server"}[${window}])))`,
        key: ({ metric: m }) => (m.destination_namespace && m.destination_workload
          ? { source: m.source_namespace && m.source_workload ? { workload: { namespace: m.source_namespace, name: m.source_workload } } : 'unauthenticated', destination: { namespace: m.destination_namespace, name: m.destination_workload } }
          : undefined),
      };
    }
    case 'consul': {
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
    }
    case 'appmesh': {
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
    }
    default:
      return undefined;
  }
}

/** The three answers joined per edge; edges with no request in the window are left out. */
export function observedEdges(q: EdgeTrafficQueries, window: string, answers: { total: readonly Sample[]; failed: readonly Sample[]; p99: readonly Sample[] }): ObservedEdge[] {
  const seconds = windowSeconds(window);
  const edges = new Map<string, { source: ObservedEdge['source']; destination: ObservedEdge['destination']; total: number; failed: number; p99?: number }>();
  for (const s of answers.total) {
    const k = q.key(s);
    if (!k || !Number.isFinite(s.value) || s.value <= 0) continue;
    const e = edges.get(keyOf(k));
    if (e) e.total += s.value;
    else edges.set(keyOf(k), { ...k, total: s.value, failed: 0 });
  }
  for (const s of answers.failed) {
    const k = q.key(s);
    const e = k && edges.get(keyOf(k));
    if (e && Number.isFinite(s.value)) e.failed += s.value;
  }
  for (const s of answers.p99) {
    const k = q.key(s);
    const e = k && edges.get(keyOf(k));
    if (e && Number.isFinite(s.value)) e.p99 = Math.max(e.p99 ?? 0, s.value);
  }
  return [...edges.values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b))).map((e) => ({
    source: e.source, destination: e.destination,
    requestsPerSecond: e.total / seconds,
    successRate: Math.max(0, 1 - e.failed / e.total),
    ...(e.p99 !== undefined ? { p99Ms: e.p99 } : {}),
  }));
}
