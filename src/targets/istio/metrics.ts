/**
 * Istio's standard metrics (istio_requests_total and its duration histogram, reported by both proxies)
 * and its dry-run RBAC statistics. In ambient mode a waypoint reports the requests it carries with
 * reporter="waypoint" and the same labels (the original caller's principal and workload, the
 * destination workload), so the server side reads reporter destination or waypoint, the client side
 * source or waypoint.
 *
 * Traffic no proxy parsed as HTTP is counted in connections (istio_tcp_connections_opened_total and
 * _closed_total): by a sidecar's TCP proxy, and in ambient by ztunnel for everything it carries. ztunnel
 * at the destination names the peer of the mTLS handshake as the caller (source_principal) and the pod
 * at the source address as its workload, so a connection a waypoint forwards names the waypoint — the
 * caller behind it is in the waypoint's own series. Those connections are left out: read naively they
 * would be flows from the waypoint's identity that SMI never granted. A waypoint is known by its
 * ServiceAccount, which Istio names after the Gateway: smi's own (smi-waypoint), or the one
 * --istio-waypoint names.
 */
import { escapeRegex, firstLabel, labelled, quote, spiffe, type MeshMetrics, type MetricsOptions } from '../metrics-spec.js';
import { DEFAULT_WAYPOINT } from './options.js';

/** The reporters that stand for the server side of a request (a sidecar at the destination, or the waypoint in front of it). */
const SERVER = 'reporter=~"destination|waypoint"';
/** … and for its client side (a sidecar at the caller, or the waypoint it went through). */
const CLIENT = 'reporter=~"source|waypoint"';

/** Connections whose caller is not a waypoint relaying someone else's (see above). */
function notRelayed(options: MetricsOptions | undefined): string {
  const named = options?.istioWaypoint;
  const names = [DEFAULT_WAYPOINT, ...(named && named !== 'create' && named !== 'none' ? [named] : [])];
  return `source_principal!~${quote(`spiffe://[^/]+/ns/[^/]+/sa/(${[...new Set(names)].map(escapeRegex).join('|')})`)}`;
}

/** Marks the connection series of a query answered together with request series (the labels differ, so `or` keeps both). */
const asConnections = (vector: string) => `label_replace(${vector}, "smi_unit", "connections", "__name__", ".*")`;

/** Pod labels as Prometheus' Kubernetes service discovery is commonly relabelled (both spellings). */
const POD_NAMESPACE = ['namespace', 'kubernetes_namespace'] as const;
const POD_NAME = ['pod', 'kubernetes_pod_name'] as const;

export const ISTIO_METRICS: MeshMetrics = {
  edgeEnds: 'caller identity → workload',
  requests: 'istio_requests_total', buckets: 'istio_request_duration_milliseconds_bucket',
  base: [SERVER], namespace: 'destination_workload_namespace',
  name: { deployments: 'destination_workload', daemonsets: 'destination_workload', statefulsets: 'destination_workload', pods: 'pod' },
  success: 'response_code!~"5.."', failure: 'response_code=~"5.."',
  edges: {
    from: labelled('server', [SERVER], { namespace: 'destination_workload_namespace', name: 'destination_workload' }, { namespace: 'source_workload_namespace', name: 'source_workload' }),
    to: labelled('client', [CLIENT], { namespace: 'source_workload_namespace', name: 'source_workload' }, { namespace: 'destination_workload_namespace', name: 'destination_workload' }),
  },
  splitBackend: (namespace, service) => [CLIENT, `destination_service_namespace=${quote(namespace)}`, `destination_service_name=${quote(service)}`],
  edgeTraffic: (window, options) => {
    const by = 'source_principal, destination_workload, destination_workload_namespace';
    const tcp = [SERVER, notRelayed(options)].join(', ');
    return {
      total: `sum by (${by}) (increase(istio_requests_total{${SERVER}}[${window}]))`,
      failed: `sum by (${by}) (increase(istio_requests_total{${SERVER}, response_code=~"5.."}[${window}]))`,
      p99: `histogram_quantile(0.99, sum by (le, ${by}) (rate(istio_request_duration_milliseconds_bucket{${SERVER}}[${window}])))`,
      connections: {
        opened: `sum by (${by}) (increase(istio_tcp_connections_opened_total{${tcp}}[${window}]))`,
        failed: `sum by (${by}) (increase(istio_tcp_connections_closed_total{${tcp}, response_flags!="-"}[${window}]))`,
      },
      key: ({ metric: m }) => (m.destination_workload && m.destination_workload_namespace
        ? { source: spiffe(m.source_principal) ?? 'unauthenticated', destination: { namespace: m.destination_workload_namespace, name: m.destination_workload } }
        : undefined),
    };
  },
  // The server side names the caller by its SPIFFE ID (source_principal); requests and connections
  // come back in one answer, the connections marked.
  flows: (window, namespace, options) => {
    const sel = [SERVER, ...(namespace ? [`destination_workload_namespace=${quote(namespace)}`] : [])];
    const by = 'source_principal, source_workload, source_workload_namespace, destination_workload, destination_workload_namespace';
    return {
      promql: `sum by (${by}) (increase(istio_requests_total{${sel.join(', ')}}[${window}])) or ${asConnections(`sum by (${by}) (increase(istio_tcp_connections_opened_total{${[...sel, notRelayed(options)].join(', ')}}[${window}]))`)}`,
      parse: (s) => {
        const m = s.metric;
        if (!m.destination_workload || !m.destination_workload_namespace) return undefined;
        return {
          source: spiffe(m.source_principal) ?? 'unauthenticated',
          ...(m.source_workload && m.source_workload !== 'unknown' ? { sourceWorkload: { namespace: m.source_workload_namespace ?? '', name: m.source_workload } } : {}),
          destination: { namespace: m.destination_workload_namespace, name: m.destination_workload },
          requests: s.value,
          ...(m.smi_unit === 'connections' ? { unit: 'connections' as const } : {}),
        };
      },
    };
  },
  // ALLOW policies annotated istio.io/dry-run count in the sidecar's RBAC statistics,
  // envoy_http_inbound_<address>_<port>_rbac{authz_dry_run_action="allow", authz_dry_run_result="denied"},
  // per pod and inbound listener; the caller is not named (Envoy's access log and traces have it).
  audit: (window, namespace) => {
    const sel = ['authz_dry_run_action="allow"', 'authz_dry_run_result="denied"'];
    const by = [...POD_NAMESPACE, ...POD_NAME];
    return {
      names: `{__name__=~"envoy_http_inbound_.+_rbac", ${sel.join(', ')}}`,
      promql: (name) => `sum by (${by.join(', ')}) (increase(${name ?? ''}{${sel.join(', ')}}[${window}]))`,
      blind: 'per pod and inbound port: Envoy\'s RBAC statistics do not name the caller',
      parse: (s, name) => {
        const m = s.metric;
        const podNamespace = firstLabel(m, POD_NAMESPACE);
        const pod = firstLabel(m, POD_NAME);
        if (!podNamespace || !pod || (namespace !== undefined && podNamespace !== namespace)) return undefined;
        const port = Number(/_(\d+)_rbac$/.exec(name ?? '')?.[1]);
        return { destination: { namespace: podNamespace, name: pod, kind: 'pod' }, ...(Number.isInteger(port) && port > 0 ? { port } : {}), requests: s.value };
      },
    };
  },
};
