/**
 * Impact of a policy on live flows (pure): for each source → destination workload that carried
 * traffic, whether the policy lets the whole flow through, only some of its requests (HTTP rules
 * name routes the metrics cannot see), none of it, or does not govern it.
 */
import { decide } from './decide.js';
import { describeMatch } from './http-match.js';
import { identityKey, inScope, type PolicyModel, type TargetPolicy } from './model.js';
import { httpParts, type AccessRequest } from './request.js';

export interface FlowWorkload { readonly namespace: string; readonly name: string }

/** A live flow: who sent how many requests (or opened how many connections) to which workload (and port, where known) over a window. */
export interface Flow {
  /** The caller's ServiceAccount, or 'unauthenticated' when the request carried no mesh identity. */
  readonly source: { readonly namespace: string; readonly name: string } | 'unauthenticated';
  readonly sourceWorkload?: FlowWorkload;
  readonly destination: FlowWorkload;
  /** The destination port, where the metrics carry it. */
  readonly port?: number;
  /** How many requests, or connections where `unit` says so. */
  readonly requests: number;
  /** connections: the mesh counted TCP connections an L4 proxy carried, not requests; absent: requests. */
  readonly unit?: 'connections';
}

export type FlowVerdict = 'denied' | 'partly' | 'allowed' | 'not-governed' | 'unknown';

export interface FlowImpact {
  readonly flow: Flow;
  readonly verdict: FlowVerdict;
  /** The destination's ServiceAccount, when the workload is in the input. */
  readonly destinationIdentity?: string;
  readonly why: string;
}

export function judgeFlow(model: PolicyModel, flow: Flow): FlowImpact {
  const workload = model.inventory.workloads.find((w) => w.namespace === flow.destination.namespace && w.name === flow.destination.name);
  if (!workload) return { flow, verdict: 'unknown', why: `workload ${flow.destination.namespace}/${flow.destination.name} is not in the input: add the cluster (--kubeconfig) or its manifests` };
  const destination = { namespace: workload.namespace, name: workload.serviceAccount };
  const destinationIdentity = identityKey(destination);
  if (!inScope(model, destination.namespace)) {
    return { flow, verdict: 'not-governed', destinationIdentity, why: `namespace ${destination.namespace} is outside smi's scope (${model.scope.why.get(destination.namespace) ?? 'not named'})` };
  }
  // Without a port in the metrics, the flow may be on any TCP port the workload declares.
  const declared = workload.ports.filter((p) => (p.protocol ?? 'TCP').toUpperCase() === 'TCP').map((p) => p.port);
  const ports: (number | undefined)[] = flow.port !== undefined ? [flow.port] : declared.length > 0 ? declared : [undefined];
  const request = (protocol: 'tcp' | 'http', port: number | undefined): AccessRequest => ({
    source: flow.source, destination, protocol, ...(port !== undefined ? { port } : {}), ...(protocol === 'http' ? { http: httpParts('GET', '/', []) } : {}),
  });
  const where = flow.port !== undefined ? `port ${flow.port}` : declared.length > 0 ? `a port of ${declared.join(', ')} (the metrics name none)` : 'any port';
  for (const port of ports) {
    const tcp = decide(model, request('tcp', port));
    if (tcp.allowed) return { flow, verdict: 'allowed', destinationIdentity, why: tcp.reasons[0]?.message ?? 'allowed' };
  }
  const source = flow.source === 'unauthenticated' ? undefined : identityKey(flow.source);
  const candidates = source ? model.destinations.get(destinationIdentity)?.bySource.get(source) ?? [] : [];
  // HTTP rules apply on the ports a TrafficTarget's TCPRoutes (and v1alpha2 destination port) allow.
  const onPort = (t: TargetPolicy, port: number | undefined) =>
    (t.legacyPort === undefined || t.legacyPort === port) && (t.tcpPorts === undefined || t.tcpPorts === 'all' || (port !== undefined && t.tcpPorts.has(port)));
  const routes = candidates.filter((t) => t.hasHttpRules && ports.some((p) => onPort(t, p))).flatMap((t) => t.httpMatches.map((m) => `${describeMatch(m)} (${t.ref.kind} ${t.ref.namespace}/${t.ref.name})`));
  if (routes.length > 0) return { flow, verdict: 'partly', destinationIdentity, why: `only HTTP requests fitting ${[...new Set(routes)].join('; ')}; the metrics do not say which requests the flow carries` };
  for (const port of ports) {
    const http = decide(model, request('http', port));
    if (http.allowed) return { flow, verdict: 'allowed', destinationIdentity, why: http.reasons[0]?.message ?? 'allowed' };
  }
  const denial = decide(model, request('tcp', ports[0]));
  return { flow, verdict: 'denied', destinationIdentity, why: `on ${where}: ${denial.reasons.map((r) => r.message).join('; ')}` };
}
