/**
 * Live flows from a mesh's metrics (pure): which caller identity sent how many requests to which
 * workload (and port, where the metrics say) over a window — the input of `smi impact`. Only meshes
 * whose server-side metrics name the caller's identity can answer: Istio (source_principal, a SPIFFE
 * ID) and Linkerd (client_id, its mTLS identity). Consul's and App Mesh's inbound Envoy statistics
 * do not name the caller.
 */
import { quote, type MetricsMesh } from './promql.js';
import type { Sample } from './prometheus.js';
import type { Flow } from '../policy/impact.js';

export interface FlowQuery {
  readonly promql: string;
  parse(sample: Sample): Flow | undefined;
}

/** spiffe://<trust domain>/ns/<namespace>/sa/<serviceaccount> */
export function spiffe(id: string | undefined): Flow['source'] | undefined {
  const m = /^spiffe:\/\/[^/]+\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(id ?? '');
  return m ? { namespace: m[1]!, name: m[2]! } : undefined;
}

/** <serviceaccount>.<namespace>.serviceaccount.identity.linkerd.<trust domain> */
export function linkerdIdentity(id: string | undefined): Flow['source'] | undefined {
  const m = /^([^.]+)\.([^.]+)\.serviceaccount\.identity\.linkerd\./.exec(id ?? '');
  return m ? { namespace: m[2]!, name: m[1]! } : undefined;
}

export const WORKLOAD_LABELS = ['deployment', 'statefulset', 'daemonset'] as const;

/** The first of these labels a sample carries with a value (scrape configurations spell labels differently). */
export const firstLabel = (m: Readonly<Record<string, string>>, labels: readonly string[]): string | undefined => labels.map((l) => m[l]).find((v) => v !== undefined && v !== '');

export function flowQuery(mesh: MetricsMesh, window: string, namespace?: string): FlowQuery | undefined {
  switch (mesh) {
    case 'istio': {
      const sel = ['reporter="destination"', ...(namespace ? [`destination_workload_namespace=${quote(namespace)}`] : [])];
      return {
        promql: `sum by (source_principal, source_workload, source_workload_namespace, destination_workload, destination_workload_namespace) (increase(istio_requests_total{${sel.join(', ')}}[${window}]))`,
        parse: (s) => {
          const m = s.metric;
          if (!m.destination_workload || !m.destination_workload_namespace) return undefined;
          return {
            source: spiffe(m.source_principal) ?? 'unauthenticated',
            ...(m.source_workload && m.source_workload !== 'unknown' ? { sourceWorkload: { namespace: m.source_workload_namespace ?? '', name: m.source_workload } } : {}),
            destination: { namespace: m.destination_workload_namespace, name: m.destination_workload },
            requests: s.value,
          };
        },
      };
    }
    case 'linkerd': {
      const sel = ['direction="inbound"', ...(namespace ? [`namespace=${quote(namespace)}`] : [])];
      return {
        promql: `sum by (client_id, namespace, ${WORKLOAD_LABELS.join(', ')}, target_addr) (increase(response_total{${sel.join(', ')}}[${window}]))`,
        parse: (s) => {
          const m = s.metric;
          const name = firstLabel(m, WORKLOAD_LABELS);
          if (!name || !m.namespace) return undefined;
          const port = Number(/:(\d+)$/.exec(m.target_addr ?? '')?.[1]);
          return {
            source: linkerdIdentity(m.client_id) ?? 'unauthenticated',
            destination: { namespace: m.namespace, name },
            ...(Number.isInteger(port) && port > 0 ? { port } : {}),
            requests: s.value,
          };
        },
      };
    }
    default:
      return undefined;
  }
}
