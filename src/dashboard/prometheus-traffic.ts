/** Live traffic for the dashboard from Prometheus: the queries of metrics/edge-traffic.ts, asked together. */
import { edgeTrafficQueries, observedEdges, type ObservedEdge } from '../metrics/edge-traffic.js';
import type { Prometheus } from '../metrics/prometheus.js';
import type { MetricsOptions } from '../targets/metrics-spec.js';
import type { MeshName } from '../targets/target.js';

export interface TrafficReader {
  readonly mesh: string;
  read(window: string): Promise<ObservedEdge[]>;
}

/** Undefined when the mesh's metrics do not name the caller (no edges to draw). */
export function prometheusTraffic(prometheus: Prometheus, mesh: MeshName, options?: MetricsOptions): TrafficReader | undefined {
  if (!edgeTrafficQueries(mesh, '1m', options)) return undefined;
  return {
    mesh,
    read: async (window) => {
      const q = edgeTrafficQueries(mesh, window, options)!;
      const [total, failed, p99, opened, refused] = await Promise.all([
        prometheus.query(q.total), prometheus.query(q.failed), prometheus.query(q.p99),
        q.connections ? prometheus.query(q.connections.opened) : undefined, q.connections ? prometheus.query(q.connections.failed) : undefined,
      ]);
      return observedEdges(q, window, { total, failed, p99, ...(opened && refused ? { connections: { opened, failed: refused } } : {}) });
    },
  };
}
