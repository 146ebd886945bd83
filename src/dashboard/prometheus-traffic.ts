/** Live traffic for the dashboard from Prometheus: the three queries of metrics/edge-traffic.ts, asked together. */
import { edgeTrafficQueries, observedEdges, type ObservedEdge } from '../metrics/edge-traffic.js';
import type { Prometheus } from '../metrics/prometheus.js';
import type { MeshName } from '../targets/target.js';

export interface TrafficReader {
  readonly mesh: string;
  read(window: string): Promise<ObservedEdge[]>;
}

/** Undefined when the mesh's metrics do not name the caller (no edges to draw). */
export function prometheusTraffic(prometheus: Prometheus, mesh: MeshName): TrafficReader | undefined {
  if (!edgeTrafficQueries(mesh, '1m')) return undefined;
  return {
    mesh,
    read: async (window) => {
      const q = edgeTrafficQueries(mesh, window)!;
      const [total, failed, p99] = await Promise.all([prometheus.query(q.total), prometheus.query(q.failed), prometheus.query(q.p99)]);
      return observedEdges(q, window, { total, failed, p99 });
    },
  };
}
