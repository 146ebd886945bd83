/**
 * Live traffic on the dashboard's graph (pure): each observed edge of the mesh's metrics placed
 * between the graph's nodes — a workload stands for the ServiceAccount it runs as, a Service for the
 * one ServiceAccount of the workloads it selects (a Consul service: the Services of that name) —
 * with whether SMI allows that pair at all. Several workloads of one ServiceAccount add up: their
 * rates sum, the success rate is weighted by rate, the p99 is the worst of theirs. An end that does
 * not resolve to one ServiceAccount stays what the metrics named (workload:…, service:…). Connections
 * (traffic an L4 proxy carried without seeing requests) add up the same way, apart from requests.
 */
import type { ObservedEdge } from '../metrics/edge-traffic.js';
import type { GraphEdge } from '../policy/graph.js';
import type { TrafficEdge, TrafficView } from './contract.js';
import type { PolicyModel } from '../policy/model.js';
import { selects } from '../policy/inventory.js';

export type { TrafficEdge, TrafficView };

/** The one ServiceAccount behind the workloads these Services select, if there is exactly one. */
function serviceIdentity(model: PolicyModel, namespace: string | undefined, name: string): string | undefined {
  const named = [...model.inventory.services.values()].filter((s) => s.name === name);
  // A Consul service name stands for the Services of that name; its namespace is a Kubernetes one only with mirroring.
  const inNamespace = named.filter((s) => s.namespace === namespace);
  const services = inNamespace.length > 0 ? inNamespace : named;
  const identities = new Set(services.flatMap((s) => model.inventory.workloads.filter((w) => w.namespace === s.namespace && selects(s.selector, w.labels)).map((w) => `sa:${w.namespace}/${w.serviceAccount}`)));
  return identities.size === 1 ? [...identities][0] : undefined;
}

export function trafficEdges(model: PolicyModel, graphEdges: readonly GraphEdge[], observed: readonly ObservedEdge[]): TrafficEdge[] {
  const identityOf = new Map(model.inventory.workloads.map((w) => [`${w.namespace}/${w.name}`, `sa:${w.namespace}/${w.serviceAccount}`]));
  const allowed = new Set(graphEdges.filter((e) => e.kind === 'access').map((e) => `${e.from} ${e.to}`));
  // Per Service named by the metrics, resolved once per call: the inventory scan is not per sample.
  const services = new Map<string, string | undefined>();
  const serviceTo = (namespace: string | undefined, name: string): string | undefined => {
    const key = `${namespace ?? ''}/${name}`;
    if (!services.has(key)) services.set(key, serviceIdentity(model, namespace, name));
    return services.get(key);
  };
  const joined = new Map<string, { from: string; to: string; workloads: Set<string>; rps: number; successes: number; rated: number; p99?: number; cps: number; held: number }>();
  for (const o of observed) {
    const d = o.destination;
    const workload = 'service' in d ? `service:${d.service.namespace !== undefined ? `${d.service.namespace}/` : ''}${d.service.name}` : `${d.namespace}/${d.name}`;
    const s = o.source;
    const from = s === 'unauthenticated' ? 'unauthenticated' : 'workload' in s ? identityOf.get(`${s.workload.namespace}/${s.workload.name}`) ?? `workload:${s.workload.namespace}/${s.workload.name}` : `sa:${s.namespace}/${s.name}`;
    const to = 'service' in d ? serviceTo(d.service.namespace, d.service.name) ?? workload : identityOf.get(workload) ?? `workload:${workload}`;
    const key = `${from} ${to}`;
    const e = joined.get(key) ?? { from, to, workloads: new Set<string>(), rps: 0, successes: 0, rated: 0, cps: 0, held: 0 };
    e.workloads.add(workload);
    e.rps += o.requestsPerSecond;
    if (o.successRate !== undefined) {
      e.successes += o.successRate * o.requestsPerSecond;
      e.rated += o.requestsPerSecond;
    }
    if (o.p99Ms !== undefined) e.p99 = Math.max(e.p99 ?? 0, o.p99Ms);
    if (o.connectionsPerSecond !== undefined) {
      e.cps += o.connectionsPerSecond;
      e.held += (o.connectionSuccessRate ?? 1) * o.connectionsPerSecond;
    }
    joined.set(key, e);
  }
  return [...joined.values()].sort((a, b) => `${a.from} ${a.to}`.localeCompare(`${b.from} ${b.to}`)).map((e) => ({
    from: e.from, to: e.to, workloads: [...e.workloads].sort(),
    requestsPerSecond: e.rps,
    ...(e.rated > 0 ? { successRate: e.successes / e.rated } : {}),
    ...(e.p99 !== undefined ? { p99Ms: e.p99 } : {}),
    ...(e.cps > 0 ? { connectionsPerSecond: e.cps, connectionSuccessRate: e.held / e.cps } : {}),
    inPolicy: allowed.has(`${e.from} ${e.to}`),
  }));
}
