/**
 * PromQL for TrafficMetrics from the metrics each mesh declares (targets/<mesh>/metrics.ts,
 * docs/metrics.md): success and failure counts are increases of the request counter split by
 * response class over the window; latency percentiles are histogram_quantile over the request
 * duration histogram's rate. Label values are escaped: nothing a request supplies becomes PromQL.
 */
import { metricsOf } from '../targets/registry.js';
import { quote, type EdgeSelf, type MeshMetrics, type ResourceKind } from '../targets/metrics-spec.js';
import type { MeshName } from '../targets/target.js';

export const RESOURCE_KINDS: readonly ResourceKind[] = ['namespaces', 'deployments', 'pods', 'daemonsets', 'statefulsets'];
export const KIND_OF: Record<ResourceKind, string> = { namespaces: 'Namespace', deployments: 'Deployment', pods: 'Pod', daemonsets: 'DaemonSet', statefulsets: 'StatefulSet' };

/** The metrics a mesh declares (its Target.metrics); a name without them is a programming error, refused at the edges. */
function specOf(mesh: MeshName): MeshMetrics {
  const spec = metricsOf(mesh);
  if (!spec) throw new Error(`${mesh} declares no metrics`);
  return spec;
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

function matchers(mesh: MeshMetrics, s: Selector): string[] {
  const out = [...mesh.base];
  if (s.namespace !== undefined) out.push(`${mesh.namespace}=${quote(s.namespace)}`);
  if (s.kind !== 'namespaces' && s.name !== undefined) out.push(`${mesh.name[s.kind]}=${quote(s.name)}`);
  else if (s.kind === 'namespaces' && s.name !== undefined) out.push(`${mesh.namespace}=${quote(s.name)}`);
  return out;
}

/** The label a list groups by: each value is one resource. */
export function groupLabels(mesh: MeshName, kind: ResourceKind): string[] {
  const m = specOf(mesh);
  return kind === 'namespaces' ? [m.namespace] : [m.namespace, m.name[kind]];
}

export interface ResourceQueries { success: string; failure: string; p50: string; p90: string; p99: string }

/** Queries for one resource (name set) or, grouped by resource, for all of a kind (name unset). */
export function resourceQueries(mesh: MeshName, s: Selector, window: string): ResourceQueries {
  const m = specOf(mesh);
  const sel = matchers(m, s);
  const by = s.name === undefined ? ` by (${groupLabels(mesh, s.kind).join(', ')})` : '';
  const count = (cls: string) => `sum${by} (increase(${m.requests}{${[...sel, cls].join(', ')}}[${window}]))`;
  const byLe = s.name === undefined ? ` by (le, ${groupLabels(mesh, s.kind).join(', ')})` : ' by (le)';
  const quantile = (q: number) => inMs(m, `histogram_quantile(${q}, sum${byLe} (rate(${m.buckets}{${sel.join(', ')}}[${window}])))`);
  return { success: count(m.success), failure: count(m.failure), p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99) };
}

/** Percentiles in milliseconds whatever the histogram counts. */
const inMs = (m: MeshMetrics, quantile: string): string => (m.seconds ? `1000 * ${quantile}` : quantile);

/**
 * A query answering something only when the mesh's metrics exist without the labels smi needs (the
 * mesh was not configured to add them), with what to do about it; undefined for meshes whose labels are fixed.
 */
export function missingLabels(mesh: MeshName): { promql: string; message: string } | undefined {
  const m = specOf(mesh);
  if (!m.required) return undefined;
  const labelled = m.required.labels.map((l) => `${l}!=""`).join(', ');
  return {
    promql: `count(${m.requests}) unless count(${m.requests}{${labelled}})`,
    message: `${m.requests} has no series with the labels ${m.required.labels.join(', ')}: ${m.required.fix}`,
  };
}

export interface EdgeQueries { direction: 'from' | 'to'; side: 'client' | 'server'; peer: { namespace: string; name: string }; peerKind?: 'Service'; queries: ResourceQueries }

/** Whether the mesh's edges need the Services in front of the resource (then pass them to edgeQueries). */
export const edgesNeedFronting = (mesh: MeshName): boolean => Boolean(specOf(mesh).edges?.from?.needsFronting || specOf(mesh).edges?.to?.needsFronting);

/** Per-peer queries for the traffic into and out of a workload (the directions the mesh's metrics can tell). */
export function edgeQueries(mesh: MeshName, self: EdgeSelf, window: string): EdgeQueries[] {
  const m = specOf(mesh);
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
export function splitBackendQueries(mesh: MeshName, namespace: string, service: string, window: string): ResourceQueries | undefined {
  const m = specOf(mesh);
  const matchers = m.splitBackend?.(namespace, service);
  if (!matchers) return undefined;
  const count = (cls: string) => `sum (increase(${m.requests}{${[...matchers, cls].join(', ')}}[${window}]))`;
  const quantile = (q: number) => inMs(m, `histogram_quantile(${q}, sum by (le) (rate(${m.buckets}{${matchers.join(', ')}}[${window}])))`);
  return { success: count(m.success), failure: count(m.failure), p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99) };
}
