/**
 * Live flows from a mesh's metrics: which caller identity sent how many requests (or opened how many
 * connections, where an L4 proxy carried them) to which workload
 * (and port, where the metrics say) over a window — the input of `smi impact`. Only meshes whose
 * server-side metrics name the caller's identity can answer (their Target.metrics.flows).
 */
import { metricsOf } from '../targets/registry.js';
import type { FlowQuery, MetricsOptions } from '../targets/metrics-spec.js';
import type { MeshName } from '../targets/target.js';

export type { FlowQuery };

export function flowQuery(mesh: MeshName, window: string, namespace?: string, options?: MetricsOptions): FlowQuery | undefined {
  return metricsOf(mesh)?.flows?.(window, namespace, options);
}
