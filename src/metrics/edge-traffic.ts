/**
 * Traffic per caller identity and destination workload over a window, from a mesh's server-side
 * metrics (pure: the PromQL, and the parse of what Prometheus answers): requests per second, the
 * share that succeeded, and the 99th percentile latency. Only meshes whose inbound metrics name the
 * caller's identity can answer — Istio (source_principal) and Linkerd (client_id); Consul's and App
 * Mesh's inbound Envoy statistics do not name the caller.
 */
import { linkerdIdentity, spiffe, WORKLOAD_LABELS } from './flows.js';
import { windowSeconds, type MetricsMesh } from './promql.js';
import type { Sample } from './prometheus.js';

export interface ObservedEdge {
  /** The caller's ServiceAccount, or 'unauthenticated' when the request carried no mesh identity. */
  readonly source: { readonly namespace: string; readonly name: string } | 'unauthenticated';
  readonly destination: { readonly namespace: string; readonly name: string };
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

const keyOf = (e: Pick<ObservedEdge, 'source' | 'destination'>) =>
  `${e.source === 'unauthenticated' ? '-' : `${e.source.namespace}/${e.source.name}`} ${e.destination.namespace}/${e.destination.name}`;

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
          const name = WORKLOAD_LABELS.map((l) => m[l]).find((v) => v !== undefined && v !== '');
          return name && m.namespace ? { source: linkerdIdentity(m.client_id) ?? 'unauthenticated', destination: { namespace: m.namespace, name } } : undefined;
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
