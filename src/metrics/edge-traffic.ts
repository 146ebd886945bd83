/**
 * Traffic per caller and destination over a window, from a mesh's metrics (pure: the PromQL its
 * Target.metrics.edgeTraffic declares, and the parse of what Prometheus answers): requests per
 * second, the share that succeeded, and the 99th percentile latency. Each mesh names the two ends as
 * its metrics can (an identity, a workload, or the Service called); the dashboard maps them onto
 * ServiceAccounts through the inventory.
 */
import { metricsOf } from '../targets/registry.js';
import type { EdgeTrafficQueries, MetricsOptions, ObservedEdge, Sample } from '../targets/metrics-spec.js';
import type { MeshName } from '../targets/target.js';
import { windowSeconds } from './promql.js';

export type { EdgeTrafficQueries, ObservedEdge };

const endOf = (e: ObservedEdge['source'] | ObservedEdge['destination']): string =>
  e === 'unauthenticated' ? '-' : 'workload' in e ? `workload:${e.workload.namespace}/${e.workload.name}` : 'service' in e ? `service:${e.service.namespace ?? ''}/${e.service.name}` : `${e.namespace}/${e.name}`;
const keyOf = (e: Pick<ObservedEdge, 'source' | 'destination'>) => `${endOf(e.source)} ${endOf(e.destination)}`;

export function edgeTrafficQueries(mesh: MeshName, window: string, options?: MetricsOptions): EdgeTrafficQueries | undefined {
  return metricsOf(mesh)?.edgeTraffic?.(window, options);
}

export interface EdgeTrafficAnswers {
  readonly total: readonly Sample[];
  readonly failed: readonly Sample[];
  readonly p99: readonly Sample[];
  /** The answers of `connections`, where the mesh counts them. */
  readonly connections?: { readonly opened: readonly Sample[]; readonly failed: readonly Sample[] };
}

/** The answers joined per edge; edges with neither a request nor a connection in the window are left out. */
export function observedEdges(q: EdgeTrafficQueries, window: string, answers: EdgeTrafficAnswers): ObservedEdge[] {
  const seconds = windowSeconds(window);
  type Edge = { source: ObservedEdge['source']; destination: ObservedEdge['destination']; total: number; failed: number; p99?: number; opened: number; refused: number };
  const edges = new Map<string, Edge>();
  const count = (samples: readonly Sample[], add: (e: Edge, value: number) => void, create: boolean) => {
    for (const s of samples) {
      const k = q.key(s);
      if (!k || !Number.isFinite(s.value) || (create && s.value <= 0)) continue;
      let e = edges.get(keyOf(k));
      if (!e && create) edges.set(keyOf(k), e = { ...k, total: 0, failed: 0, opened: 0, refused: 0 });
      if (e) add(e, s.value);
    }
  };
  count(answers.total, (e, v) => { e.total += v; }, true);
  count(answers.failed, (e, v) => { e.failed += v; }, false);
  count(answers.connections?.opened ?? [], (e, v) => { e.opened += v; }, true);
  count(answers.connections?.failed ?? [], (e, v) => { e.refused += v; }, false);
  for (const s of answers.p99) {
    const k = q.key(s);
    const e = k && edges.get(keyOf(k));
    if (e && Number.isFinite(s.value)) e.p99 = Math.max(e.p99 ?? 0, s.value);
  }
  return [...edges.values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b))).map((e) => ({
    source: e.source, destination: e.destination,
    requestsPerSecond: e.total / seconds,
    ...(e.total > 0 ? { successRate: Math.max(0, 1 - e.failed / e.total) } : {}),
    ...(e.p99 !== undefined ? { p99Ms: e.p99 } : {}),
    ...(e.opened > 0 ? { connectionsPerSecond: e.opened / seconds, connectionSuccessRate: Math.max(0, 1 - e.refused / e.opened) } : {}),
  }));
}
