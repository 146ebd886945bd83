/**
 * What a mesh's metrics are, as each mesh folder declares them (targets/<mesh>/metrics.ts) from the
 * mesh's documented metric names and labels: the request counter and duration histogram of the
 * server side, the labels naming resources, the series of traffic between workloads, and, where the
 * mesh can tell them, splits, live flows and audit findings. metrics/ turns these into PromQL and
 * parses the answers. Label values are always quoted: nothing a request supplies becomes PromQL.
 */
import type { Flow } from '../policy/impact.js';

/**
 * How the mesh is set up, where that changes what its series mean (which workloads only relay what
 * others sent). Each mesh folder adds its own fields (declare module), as it does to TranslateOptions,
 * so a command passes the translation options it parsed.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface MetricsOptions {}

/** One series of an instant query's answer. */
export interface Sample { readonly metric: Record<string, string>; readonly value: number }

export type ResourceKind = 'namespaces' | 'deployments' | 'pods' | 'daemonsets' | 'statefulsets';
export type WorkloadKind = Exclude<ResourceKind, 'namespaces'>;

export interface EdgeSelf {
  readonly namespace: string;
  readonly name: string;
  readonly kind: WorkloadKind;
  /** The Services whose selector picks the resource's pods, when the edge needs them. */
  readonly fronting?: readonly string[];
}

export interface EdgeSpec {
  readonly side: 'client' | 'server';
  /** The labels naming the peer on the series of the edge (for a resource of this kind). */
  peer(kind: WorkloadKind): { namespace: string; name: string };
  /** The peer is the Service called (the metrics name it, not its workload). */
  readonly peerKind?: 'Service';
  /** It needs the Services in front of the resource (read from the cluster). */
  readonly needsFronting?: boolean;
  /**
   * The series of the edge for one resource: matchers, and what turns their vector into one labelled
   * by peer (label_replace, a join); undefined when nothing can be selected (no Service in front).
   */
  select(self: EdgeSelf): { matchers: string[]; wrap?: (vector: string) => string } | undefined;
}

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
  /** TCP connections opened per second, where the mesh counts connections an L4 proxy carried (no requests seen). */
  readonly connectionsPerSecond?: number;
  /** 0–1: the share of those connections that closed without a failure (a policy denial counts as one). */
  readonly connectionSuccessRate?: number;
}

/** Traffic per caller and destination over a window: three queries and how to read an edge's ends from a sample. */
export interface EdgeTrafficQueries {
  readonly total: string;
  readonly failed: string;
  readonly p99: string;
  /**
   * Connections an L4 proxy carried, where the mesh counts them apart from requests: opened, and
   * closed with a failure; the same key. Absent: the mesh counts requests only.
   */
  readonly connections?: { readonly opened: string; readonly failed: string };
  /** The key of an edge in a sample of any of these, or undefined when it names no workload. */
  key(sample: Sample): { source: ObservedEdge['source']; destination: ObservedEdge['destination'] } | undefined;
}

/** Which caller identity sent how many requests to which workload: the input of `smi impact`. */
export interface FlowQuery {
  readonly promql: string;
  parse(sample: Sample): Flow | undefined;
}

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
   * queried on its own (a mesh that names statistics after listeners). Absent: one query.
   */
  readonly names?: string;
  promql(name?: string): string;
  /** What the mesh's figures cannot tell, for the report. */
  readonly blind: string;
  parse(sample: Sample, name?: string): AuditFinding | undefined;
}

export interface MeshMetrics {
  readonly requests: string;
  readonly buckets: string;
  /** Always-on matchers: the server side of the traffic. */
  readonly base: readonly string[];
  readonly namespace: string;
  readonly name: Readonly<Record<WorkloadKind, string>>;
  readonly success: string;
  readonly failure: string;
  /** Edges: the series of traffic into (from) and out of (to) a resource, and the labels of the peer. */
  readonly edges?: { readonly from?: EdgeSpec; readonly to?: EdgeSpec };
  /** The duration histogram counts seconds (percentiles are reported in milliseconds). */
  readonly seconds?: boolean;
  /** Labels the metrics only carry when the mesh is configured to add them: without them, a clear error. */
  readonly required?: { readonly labels: readonly string[]; readonly fix: string };
  /** Matchers of the client-side requests sent to one Service (a split's backend); absent: the metrics do not name it. */
  splitBackend?(namespace: string, service: string): string[];
  /** What the live edges' two ends are in these metrics, in words (help and docs). */
  readonly edgeEnds?: string;
  /** Traffic per caller and destination (the dashboard's live edges); absent: the metrics cannot say. */
  edgeTraffic?(window: string, options?: MetricsOptions): EdgeTrafficQueries;
  /** Live flows by caller identity (`smi impact`); absent: the metrics do not name the caller. */
  flows?(window: string, namespace?: string, options?: MetricsOptions): FlowQuery;
  /** What the mesh in audit mode would have denied (`smi impact --audit-results`); absent: no audit metrics. */
  audit?(window: string, namespace?: string): AuditQuery;
}

/** A PromQL string literal: backslash, double quote and line breaks escaped. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

/** A literal inside a regular expression (RE2): its metacharacters escaped. */
export const escapeRegex = (text: string): string => text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');

/** An edge whose series carry the resource's and the peer's labels themselves. */
export const labelled = (side: EdgeSpec['side'], base: readonly string[], self: Named, peer: Named): EdgeSpec => ({
  side, peer: () => peer, select: (s) => ({ matchers: [...base, `${self.namespace}=${quote(s.namespace)}`, `${self.name}=${quote(s.name)}`] }),
});

/** The labels Prometheus' Kubernetes discovery commonly gives a pod's own series for its workload. */
export const WORKLOAD_LABELS = ['deployment', 'statefulset', 'daemonset'] as const;
/** Envoy-based sidecars' own series, by resource kind (the same scrape relabelling). */
export const ENVOY_NAMES: Readonly<Record<WorkloadKind, string>> = { deployments: 'deployment', pods: 'pod', daemonsets: 'daemonset', statefulsets: 'statefulset' };

/** The first of these labels a sample carries with a value (scrape configurations spell labels differently). */
export const firstLabel = (m: Readonly<Record<string, string>>, labels: readonly string[]): string | undefined => labels.map((l) => m[l]).find((v) => v !== undefined && v !== '');

/** The workload of a pod's own series, from the labels its scrape configuration gives it. */
export const workloadOf = (m: Readonly<Record<string, string>>): Named | undefined => {
  const name = firstLabel(m, WORKLOAD_LABELS);
  return name && m.namespace ? { namespace: m.namespace, name } : undefined;
};

/** spiffe://<trust domain>/ns/<namespace>/sa/<serviceaccount> */
export function spiffe(id: string | undefined): Named | undefined {
  const m = /^spiffe:\/\/[^/]+\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(id ?? '');
  return m ? { namespace: m[1]!, name: m[2]! } : undefined;
}

/** The port of a `host:port` address label, when it has one. */
export function portOf(address: string | undefined): number | undefined {
  const port = Number(/:(\d+)$/.exec(address ?? '')?.[1]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}
