/**
 * Traffic per caller and destination over a window, from a mesh's metrics (pure: the PromQL its
 * Target.metrics.edgeTraffic declares, and the parse of what Prometheus answers): requests per
 * second, the share that succeeded, and the 99th percentile latency. Each mesh names the two ends as
 * its metrics can (an identity, a workload, or the Service called); the dashboard maps them onto
 * ServiceAccounts through the inventory.
 */
import { metricsOf } from '../targets/registry.js';
import type { EdgeTrafficQueries, ObservedEdge, Sample } from '../targets/metrics-spec.js';
import type { MeshName } from '../targets/target.js';
import { windowSeconds } from './promql.js';

export type { EdgeTrafficQueries, ObservedEdge };

const endOf = (e: ObservedEdge['source'] | ObservedEdge['destination']): string =>
  e === 'unauthenticated' ? '-' : 'workload' in e ? `workload:${e.workload.namespace}/${e.workload.name}` : 'service' in e ? `service:${e.service.namespace ?? ''}/${e.service.name}` : `${e.namespace}/${e.name}`;
const keyOf = (e: Pick<ObservedEdge, 'source' | 'destination'>) => `${endOf(e.source)} ${endOf(e.destination)}`;

export function edgeTrafficQueries(mesh: MeshName, window: string): EdgeTrafficQueries | undefined {
  return metricsOf(mesh)?.edgeTraffic?.(window);
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
