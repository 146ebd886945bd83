/**
 * What a mesh in audit mode reports it would have denied (pure queries and parsing), for
 * `smi impact --audit-results`: the evidence of the policy applied with `--enforcement audit`.
 * - Linkerd: Servers with accessPolicy audit let through what no policy authorizes and count it in
 *   `inbound_http_authz_allow_total` with `authz_name="audit"`, labelled with the caller's mTLS
 *   identity (client_id), the workload and the target address.
 * - Istio: ALLOW policies annotated `istio.io/dry-run` count in the sidecar's RBAC statistics,
 *   `envoy_http_inbound_<address>_<port>_rbac{authz_dry_run_action="allow", authz_dry_run_result="denied"}`,
 *   per pod and inbound listener; the caller is not named (Envoy's access log and traces have it).
 */
import type { Sample } from './prometheus.js';
import { quote, type MetricsMesh } from './promql.js';
import { firstLabel, linkerdIdentity, WORKLOAD_LABELS } from './flows.js';

export interface AuditFinding {
  /** The workload (Linkerd) or pod (Istio) that reported the would-be denials. */
  readonly destination: { readonly namespace: string; readonly name: string; readonly kind: 'workload' | 'pod' };
  /** The caller's ServiceAccount, 'unauthenticated', or undefined when the mesh does not say. */
  readonly source?: { readonly namespace: string; readonly name: string } | 'unauthenticated';
  readonly port?: number;
  /** Requests the audit policy let through and would have denied, over the window. */
  readonly requests: number;
}

export interface AuditQuery {
  /**
   * A series selector whose metric names must be found first (Prometheus' series API), each then
   * queried on its own: Istio names its RBAC statistics after the listener, and increase() over
   * several names would give series that differ only in the dropped name. Absent: one query.
   */
  readonly names?: string;
  promql(name?: string): string;
  /** What the mesh's figures cannot tell, for the report. */
  readonly blind: string;
  parse(sample: Sample, name?: string): AuditFinding | undefined;
}

/** Pod labels as Prometheus' Kubernetes service discovery is commonly relabelled (both spellings). */
const POD_NAMESPACE = ['namespace', 'kubernetes_namespace'] as const;
const POD_NAME = ['pod', 'kubernetes_pod_name'] as const;

export function auditQuery(mesh: MetricsMesh, window: string, namespace?: string): AuditQuery | undefined {
  switch (mesh) {
    case 'linkerd': {
      const sel = ['direction="inbound"', 'authz_name="audit"', ...(namespace ? [`namespace=${quote(namespace)}`] : [])];
      return {
        promql: () => `sum by (client_id, namespace, ${WORKLOAD_LABELS.join(', ')}, target_addr) (increase(inbound_http_authz_allow_total{${sel.join(', ')}}[${window}]))`,
        blind: 'HTTP requests only (raw TCP connections are counted apart, in inbound_tcp_authz_allow_total)',
        parse: (s) => {
          const m = s.metric;
          const name = firstLabel(m, WORKLOAD_LABELS);
          if (!name || !m.namespace) return undefined;
          const port = Number(/:(\d+)$/.exec(m.target_addr ?? '')?.[1]);
          return {
            destination: { namespace: m.namespace, name, kind: 'workload' },
            source: linkerdIdentity(m.client_id) ?? 'unauthenticated',
            ...(Number.isInteger(port) && port > 0 ? { port } : {}),
            requests: s.value,
          };
        },
      };
    }
    case 'istio': {
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
    }
    default:
      return undefined;
  }
}
