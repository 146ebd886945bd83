/**
 * Per-mesh PromQL for TrafficMetrics, from each mesh's documented metric names and labels
 * (docs/metrics.md): success and failure counts are increases of the request counter split by
 * response class over the window; latency percentiles are histogram_quantile over the request
 * duration histogram's rate. Label values are escaped: nothing a request supplies becomes PromQL.
 */
import { serviceNodeName } from '../targets/appmesh/routing.js';

export type MetricsMesh = 'istio' | 'linkerd' | 'consul' | 'appmesh' | 'cilium';
export const METRICS_MESHES: readonly MetricsMesh[] = ['istio', 'linkerd', 'consul', 'appmesh', 'cilium'];
export type ResourceKind = 'namespaces' | 'deployments' | 'pods' | 'daemonsets' | 'statefulsets';
export const RESOURCE_KINDS: readonly ResourceKind[] = ['namespaces', 'deployments', 'pods', 'daemonsets', 'statefulsets'];
export const KIND_OF: Record<ResourceKind, string> = { namespaces: 'Namespace', deployments: 'Deployment', pods: 'Pod', daemonsets: 'DaemonSet', statefulsets: 'StatefulSet' };

interface MeshSpec {
  readonly requests: string;
  readonly buckets: string;
  /** Always-on matchers: the server side of the traffic. */
  readonly base: string[];
  readonly namespace: string;
  readonly name: Record<Exclude<ResourceKind, 'namespaces'>, string>;
  readonly success: string;
  readonly failure: string;
  /** Edges: the series of traffic into (from) and out of (to) a resource, and the labels of the peer. */
  readonly edges?: { readonly from?: EdgeSpec; readonly to?: EdgeSpec };
  /** The duration histogram counts seconds (percentiles are reported in milliseconds). */
  readonly seconds?: boolean;
  /** Labels the metrics only carry when the mesh is configured to add them: without them, a clear error. */
  readonly required?: { readonly labels: readonly string[]; readonly fix: string };
}
type WorkloadKind = Exclude<ResourceKind, 'namespaces'>;
interface EdgeSpec {
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

export interface EdgeSelf {
  readonly namespace: string;
  readonly name: string;
  readonly kind: WorkloadKind;
  /** The Services whose selector picks the resource's pods, when the edge needs them. */
  readonly fronting?: readonly string[];
}

/** An edge whose series carry the resource's and the peer's labels themselves (Istio, Linkerd, Hubble). */
const labelled = (side: EdgeSpec['side'], base: string[], self: { namespace: string; name: string }, peer: { namespace: string; name: string }): EdgeSpec => ({
  side, peer: () => peer, select: (s) => ({ matchers: [...base, `${self.namespace}=${quote(s.namespace)}`, `${self.name}=${quote(s.name)}`] }),
});

const ENVOY_NAMES = { deployments: 'deployment', pods: 'pod', daemonsets: 'daemonset', statefulsets: 'statefulset' } as const;

/**
 * The Consul service a resource's own sidecar reports (consul_source_*), relabelled as the callers'
 * upstream labels, to join their outbound series on.
 */
function consulSelf(self: EdgeSelf): string {
  const own = `group by (consul_source_service, consul_source_namespace) (envoy_cluster_upstream_rq_xx{namespace=${quote(self.namespace)}, ${ENVOY_NAMES[self.kind]}=${quote(self.name)}, consul_source_service!=""})`;
  return `label_replace(label_replace(${own}, "consul_destination_service", "$1", "consul_source_service", "(.+)"), "consul_destination_namespace", "$1", "consul_source_namespace", "(.*)")`;
}

/** App Mesh egress clusters: cds_egress_<mesh>_<virtual node>_<namespace>_<protocol>_<port> (Kubernetes names hold no "_"). */
export const APPMESH_EGRESS_MATCHER = 'envoy_cluster_name=~"cds_egress_.+_[^_]+_[^_]+_(http|http2|grpc|tcp)_[0-9]+"';

/** Labels smi_peer_service and smi_peer_namespace, from an egress cluster's name: smi's "<service>--service" node. */
export function appMeshEgressPeer(vector: string): string {
  const service = 'cds_egress_.+_([^_]+)--service_[^_]+_(http|http2|grpc|tcp)_[0-9]+';
  const namespace = 'cds_egress_.+_[^_]+_([^_]+)_(http|http2|grpc|tcp)_[0-9]+';
  return `label_replace(label_replace(${vector}, "smi_peer_service", "$1", "envoy_cluster_name", "${service}"), "smi_peer_namespace", "$1", "envoy_cluster_name", "${namespace}")`;
}

export const MESHES: Record<MetricsMesh, MeshSpec> = {
  istio: {
    requests: 'istio_requests_total', buckets: 'istio_request_duration_milliseconds_bucket',
    base: ['reporter="destination"'], namespace: 'destination_workload_namespace',
    name: { deployments: 'destination_workload', daemonsets: 'destination_workload', statefulsets: 'destination_workload', pods: 'pod' },
    success: 'response_code!~"5.."', failure: 'response_code=~"5.."',
    edges: {
      from: labelled('server', ['reporter="destination"'], { namespace: 'destination_workload_namespace', name: 'destination_workload' }, { namespace: 'source_workload_namespace', name: 'source_workload' }),
      to: labelled('client', ['reporter="source"'], { namespace: 'source_workload_namespace', name: 'source_workload' }, { namespace: 'destination_workload_namespace', name: 'destination_workload' }),
    },
  },
  // Hubble's HTTP metrics (httpV2) from Cilium's L7 proxy, with the workload context its labelsContext option adds.
  cilium: {
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
  },
  linkerd: {
    requests: 'response_total', buckets: 'response_latency_ms_bucket',
    base: ['direction="inbound"'], namespace: 'namespace',
    name: { deployments: 'deployment', daemonsets: 'daemonset', statefulsets: 'statefulset', pods: 'pod' },
    success: 'classification="success"', failure: 'classification="failure"',
    edges: {
      from: labelled('client', ['direction="outbound"'], { namespace: 'dst_namespace', name: 'dst_deployment' }, { namespace: 'namespace', name: 'deployment' }),
      to: labelled('client', ['direction="outbound"'], { namespace: 'namespace', name: 'deployment' }, { namespace: 'dst_namespace', name: 'dst_deployment' }),
    },
  },
  // Envoy's inbound cluster statistics: Consul names it local_app; App Mesh cds_ingress_<mesh>_<node>_<protocol>_<port>.
  consul: {
    requests: 'envoy_cluster_upstream_rq_xx', buckets: 'envoy_cluster_upstream_rq_time_bucket',
    base: ['envoy_cluster_name="local_app"'], namespace: 'namespace', name: ENVOY_NAMES,
    success: 'envoy_response_code_class!="5"', failure: 'envoy_response_code_class="5"',
    // Client side: a sidecar tags its upstream clusters with the Consul service called (consul_destination_*)
    // and every statistic with its own (consul_source_*).
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
  },
  appmesh: {
    requests: 'envoy_cluster_upstream_rq_xx', buckets: 'envoy_cluster_upstream_rq_time_bucket',
    base: ['envoy_cluster_name=~"cds_ingress_.*"'], namespace: 'namespace', name: ENVOY_NAMES,
    success: 'envoy_response_code_class!="5"', failure: 'envoy_response_code_class="5"',
    // Client side: an egress cluster names the virtual node called, smi's "<service>--service" node of a
    // Service. Who calls a workload: the callers of the Services in front of it (read from the cluster).
    edges: {
      from: {
        side: 'client', needsFronting: true, peer: (kind) => ({ namespace: 'namespace', name: ENVOY_NAMES[kind] }),
        select: (self) => (self.fronting && self.fronting.length > 0
          ? { matchers: [`envoy_cluster_name=~${quote(`cds_egress_.+_(${self.fronting.map((s) => escapeRegex(serviceNodeName(s))).join('|')})_${escapeRegex(self.namespace)}_(http|http2|grpc|tcp)_[0-9]+`)}`] }
          : undefined),
      },
      to: {
        side: 'client', peerKind: 'Service', peer: () => ({ namespace: 'smi_peer_namespace', name: 'smi_peer_service' }),
        select: (self) => ({
          matchers: [`namespace=${quote(self.namespace)}`, `${ENVOY_NAMES[self.kind]}=${quote(self.name)}`, APPMESH_EGRESS_MATCHER],
          wrap: appMeshEgressPeer,
        }),
      },
    },
  },
};

/** A literal inside a regular expression (RE2): its metacharacters escaped. */
const escapeRegex = (text: string): string => text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');

/** A PromQL string literal: backslash, double quote and line breaks escaped. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

const WINDOW = /^([1-9][0-9]{0,4})(s|m|h)$/;
/** Windows as Prometheus durations; anything else is refused (it would be spliced into a query). */
export function parseWindow(window: string | null | undefined): string | undefined {
  const w = window ?? '30s';
  return WINDOW.test(w) ? w : undefined;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };
/** The length of a window parseWindow accepted, in seconds (for rates from counts). */
export function windowSeconds(window: string): number {
  return Number(window.slice(0, -1)) * (UNIT_SECONDS[window.slice(-1)] ?? 1);
}

export interface Selector { readonly kind: ResourceKind; readonly namespace?: string; readonly name?: string }

function matchers(mesh: MeshSpec, s: Selector): string[] {
  const out = [...mesh.base];
  if (s.namespace !== undefined) out.push(`${mesh.namespace}=${quote(s.namespace)}`);
  if (s.kind !== 'namespaces' && s.name !== undefined) out.push(`${mesh.name[s.kind]}=${quote(s.name)}`);
  else if (s.kind === 'namespaces' && s.name !== undefined) out.push(`${mesh.namespace}=${quote(s.name)}`);
  return out;
}

/** The label a list groups by: each value is one resource. */
export function groupLabels(mesh: MetricsMesh, kind: ResourceKind): string[] {
  const m = MESHES[mesh];
  return kind === 'namespaces' ? [m.namespace] : [m.namespace, m.name[kind]];
}

export interface ResourceQueries { success: string; failure: string; p50: string; p90: string; p99: string }

/** Queries for one resource (name set) or, grouped by resource, for all of a kind (name unset). */
export function resourceQueries(mesh: MetricsMesh, s: Selector, window: string): ResourceQueries {
  const m = MESHES[mesh];
  const sel = matchers(m, s);
  const by = s.name === undefined ? ` by (${groupLabels(mesh, s.kind).join(', ')})` : '';
  const count = (cls: string) => `sum${by} (increase(${m.requests}{${[...sel, cls].join(', ')}}[${window}]))`;
  const byLe = s.name === undefined ? ` by (le, ${groupLabels(mesh, s.kind).join(', ')})` : ' by (le)';
  const quantile = (q: number) => inMs(m, `histogram_quantile(${q}, sum${byLe} (rate(${m.buckets}{${sel.join(', ')}}[${window}])))`);
  return { success: count(m.success), failure: count(m.failure), p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99) };
}

/** Percentiles in milliseconds whatever the histogram counts. */
const inMs = (m: MeshSpec, quantile: string): string => (m.seconds ? `1000 * ${quantile}` : quantile);

/**
 * A query answering something only when the mesh's metrics exist without the labels smi needs (the
 * mesh was not configured to add them), with what to do about it; undefined for meshes whose labels are fixed.
 */
export function missingLabels(mesh: MetricsMesh): { promql: string; message: string } | undefined {
  const m = MESHES[mesh];
  if (!m.required) return undefined;
  const labelled = m.required.labels.map((l) => `${l}!=""`).join(', ');
  return {
    promql: `count(${m.requests}) unless count(${m.requests}{${labelled}})`,
    message: `${m.requests} has no series with the labels ${m.required.labels.join(', ')}: ${m.required.fix}`,
  };
}

export interface EdgeQueries { direction: 'from' | 'to'; side: 'client' | 'server'; peer: { namespace: string; name: string }; peerKind?: 'Service'; queries: ResourceQueries }

/** Whether the mesh's edges need the Services in front of the resource (then pass them to edgeQueries). */
export const edgesNeedFronting = (mesh: MetricsMesh): boolean => Boolean(MESHES[mesh].edges?.from?.needsFronting || MESHES[mesh].edges?.to?.needsFronting);

/** Per-peer queries for the traffic into and out of a workload (the directions the mesh's metrics can tell). */
export function edgeQueries(mesh: MetricsMesh, self: EdgeSelf, window: string): EdgeQueries[] {
  const m = MESHES[mesh];
  return (['from', 'to'] as const).flatMap((direction) => {
    const e = m.edges?.[direction];
    const selected = e?.select(self);
    if (!e || !selected) return [];
    const { matchers, wrap = (v: string) => v } = selected;
    const peer = e.peer(self.kind);
    const by = `${peer.namespace}, ${peer.name}`;
    const count = (cls: string) => `sum by (${by}) (${wrap(`increase(${m.requests}{${[...matchers, cls].join(', ')}}[${window}])`)})`;
    const quantile = (q: number) => inMs(m, `histogram_quantile(${q}, sum by (le, ${by}) (${wrap(`rate(${m.buckets}{${matchers.join(', ')}}[${window}])`)}))`);
    return [{ direction, side: e.side, peer, ...(e.peerKind ? { peerKind: e.peerKind } : {}), queries: { success: count(m.success), failure: count(m.failure), p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99) } }];
  });
}

/**
 * Requests sent to one backend Service of a TrafficSplit, measured on the client side (a split has
 * no pods of its own). undefined: the mesh's metrics do not name the destination Service.
 */
export function splitBackendQueries(mesh: MetricsMesh, namespace: string, service: string, window: string): ResourceQueries | undefined {
  const m = MESHES[mesh];
  const sel: Record<MetricsMesh, string[] | undefined> = {
    istio: ['reporter="source"', `destination_service_namespace=${quote(namespace)}`, `destination_service_name=${quote(service)}`],
    linkerd: ['direction="outbound"', `dst_namespace=${quote(namespace)}`, `dst_service=${quote(service)}`],
    // Consul tags upstream clusters with the destination service; App Mesh names the egress cluster
    // after the virtual node called, smi's node of the backend Service.
    consul: [`consul_destination_service=${quote(service)}`],
    appmesh: [`envoy_cluster_name=~${quote(`cds_egress_.+_${escapeRegex(serviceNodeName(service))}_${escapeRegex(namespace)}_(http|http2|grpc|tcp)_[0-9]+`)}`],
    // Hubble's context labels name workloads and pods, not the Service a request was sent to.
    cilium: undefined,
  };
  const matchers = sel[mesh];
  if (!matchers) return undefined;
  const count = (cls: string) => `sum (increase(${m.requests}{${[...matchers, cls].join(', ')}}[${window}]))`;
  const quantile = (q: number) => inMs(m, `histogram_quantile(${q}, sum by (le) (rate(${m.buckets}{${matchers.join(', ')}}[${window}])))`);
  return { success: count(m.success), failure: count(m.failure), p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99) };
}
