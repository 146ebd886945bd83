/** Linkerd's proxy metrics (response_total and response_latency_ms, by direction) and its audit authorization counters. */
import { firstLabel, labelled, portOf, quote, WORKLOAD_LABELS, workloadOf, type MeshMetrics } from '../metrics-spec.js';

/** <serviceaccount>.<namespace>.serviceaccount.identity.linkerd.<trust domain> */
export function linkerdIdentity(id: string | undefined): { namespace: string; name: string } | undefined {
  const m = /^([^.]+)\.([^.]+)\.serviceaccount\.identity\.linkerd\./.exec(id ?? '');
  return m ? { namespace: m[2]!, name: m[1]! } : undefined;
}

export const LINKERD_METRICS: MeshMetrics = {
  edgeEnds: 'caller identity → workload',
  requests: 'response_total', buckets: 'response_latency_ms_bucket',
  base: ['direction="inbound"'], namespace: 'namespace',
  name: { deployments: 'deployment', daemonsets: 'daemonset', statefulsets: 'statefulset', pods: 'pod' },
  success: 'classification="success"', failure: 'classification="failure"',
  edges: {
    from: labelled('client', ['direction="outbound"'], { namespace: 'dst_namespace', name: 'dst_deployment' }, { namespace: 'namespace', name: 'deployment' }),
    to: labelled('client', ['direction="outbound"'], { namespace: 'namespace', name: 'deployment' }, { namespace: 'dst_namespace', name: 'dst_deployment' }),
  },
  splitBackend: (namespace, service) => ['direction="outbound"', `dst_namespace=${quote(namespace)}`, `dst_service=${quote(service)}`],
  edgeTraffic: (window) => {
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
  },
  // The inbound side names the caller by its mTLS identity (client_id).
  flows: (window, namespace) => {
    const sel = ['direction="inbound"', ...(namespace ? [`namespace=${quote(namespace)}`] : [])];
    return {
      promql: `sum by (client_id, namespace, ${WORKLOAD_LABELS.join(', ')}, target_addr) (increase(response_total{${sel.join(', ')}}[${window}]))`,
      parse: (s) => {
        const m = s.metric;
        const name = firstLabel(m, WORKLOAD_LABELS);
        if (!name || !m.namespace) return undefined;
        const port = portOf(m.target_addr);
        return { source: linkerdIdentity(m.client_id) ?? 'unauthenticated', destination: { namespace: m.namespace, name }, ...(port ? { port } : {}), requests: s.value };
      },
    };
  },
  // Servers with accessPolicy audit let through what no policy authorizes and count it in
  // inbound_http_authz_allow_total with authz_name="audit", labelled with the caller's identity.
  audit: (window, namespace) => {
    const sel = ['direction="inbound"', 'authz_name="audit"', ...(namespace ? [`namespace=${quote(namespace)}`] : [])];
    return {
      promql: () => `sum by (client_id, namespace, ${WORKLOAD_LABELS.join(', ')}, target_addr) (increase(inbound_http_authz_allow_total{${sel.join(', ')}}[${window}]))`,
      blind: 'HTTP requests only (raw TCP connections are counted apart, in inbound_tcp_authz_allow_total)',
      parse: (s) => {
        const m = s.metric;
        const name = firstLabel(m, WORKLOAD_LABELS);
        if (!name || !m.namespace) return undefined;
        const port = portOf(m.target_addr);
        return { destination: { namespace: m.namespace, name, kind: 'workload' }, source: linkerdIdentity(m.client_id) ?? 'unauthenticated', ...(port ? { port } : {}), requests: s.value };
      },
    };
  },
};
