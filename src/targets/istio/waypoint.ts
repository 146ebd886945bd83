/**
 * Route-level grants on Istio ambient: a waypoint (a Gateway API Gateway of class istio-waypoint)
 * in each namespace whose destinations have them, the namespace labelled istio.io/use-waypoint so
 * traffic addressed to its Services goes through it, and per Service an AuthorizationPolicy attached
 * by targetRefs that the waypoint enforces with the caller's own identity. ztunnel at the destination
 * then sees the waypoint's identity, which authorization.ts admits on the granted ports.
 * Istio docs: "Use waypoint proxies", "Layer 7 authorization policy" (ambient), "Authorization policy"
 * (targetRefs); waypoint-for defaults to service.
 */
import type { PolicyModel, Provenance, TargetPolicy } from '../../policy/model.js';
import { selects, workloadsIn, workloadsOf, type Service, type Workload } from '../../policy/inventory.js';
import { splitPortPlans } from '../split-plan.js';
import type { TranslateOptions } from '../target.js';
import { DEFAULT_ISTIO_ROOT_NAMESPACE, waypointOf } from './options.js';
import { derivedName, meta, resourceName } from '../naming.js';
import type { Report } from '../diagnostics.js';
import type { MeshResource } from '../target.js';
import { AUTHZ_API, GATEWAY_API, HBONE_PORT, USE_WAYPOINT_LABEL, WAYPOINT_CLASS, WAYPOINT_FOR_LABEL, WAYPOINT_POD_LABEL, type AuthorizationRule, type GatewaySpec } from './types.js';

/** What one destination identity grants, as rules for its Services at the waypoint (ports are the pods' ports). */
export interface WaypointGrants {
  readonly rules: readonly AuthorizationRule[];
  readonly refs: readonly Provenance[];
  /** It has route-level grants (a Service must front it, or they are lost). */
  readonly routeLevel: boolean;
}

/** A grant only a waypoint can carry: HTTP rules with sources and matches. */
export const routeLevel = (t: TargetPolicy): boolean => t.hasHttpRules && t.sources.length > 0 && t.httpMatches.length > 0;

/**
 * Why the waypoint's identity (ServiceAccount <waypoint> in the namespace, which ztunnel admits on the
 * granted ports) is not the waypoint's alone here, or undefined: a workload of the input runs as it
 * without being that waypoint's pods, or the SMI objects name it. Then admitting it would let that
 * workload in as if it were the waypoint.
 */
export function waypointIdentityTaken(model: PolicyModel, namespace: string, waypoint: string): string | undefined {
  const impostors = workloadsOf(model.inventory, namespace, waypoint).filter((w) => w.labels[WAYPOINT_POD_LABEL] !== waypoint);
  if (impostors.length > 0) return `${impostors.map((w) => `${w.kind}/${w.name}`).join(', ')} ${impostors.length === 1 ? 'runs' : 'run'} as ServiceAccount ${namespace}/${waypoint}, the waypoint's identity`;
  const named = [...model.destinations.values()].some((d) => (d.identity.namespace === namespace && d.identity.name === waypoint) || d.targets.some((t) => t.sources.some((s) => s.namespace === namespace && s.name === waypoint)));
  return named ? `the SMI objects name ServiceAccount ${namespace}/${waypoint}, the waypoint's identity` : undefined;
}

/**
 * The namespaces that need the waypoint: those whose destinations (with workloads) have route-level
 * grants (unless nothing is enforced: permissive), and those holding the root Service of a split the
 * waypoint routes. Never the root namespace.
 */
export function waypointNamespaces(model: PolicyModel, options: TranslateOptions): Set<string> {
  const out = new Set<string>();
  if (!waypointOf(options)) return out;
  const root = options.istioRootNamespace ?? DEFAULT_ISTIO_ROOT_NAMESPACE;
  if (model.mode !== 'permissive') {
    for (const d of model.destinations.values()) {
      if (d.targets.some(routeLevel) && workloadsOf(model.inventory, d.identity.namespace, d.identity.name).length > 0) out.add(d.identity.namespace);
    }
  }
  for (const split of model.splits.values()) if (splitPortPlans(model, split).some((p) => p.backends.length > 0)) out.add(split.namespace);
  out.delete(root);
  // Where the waypoint's identity is not its own, no waypoint: what it would carry is left out, and said (authorization.ts, traffic.ts).
  for (const ns of out) if (waypointIdentityTaken(model, ns, waypointOf(options)!.name)) out.delete(ns);
  return out;
}

/** The waypoint (when smi creates it) and the label that routes each namespace's Services through it. */
export function waypointInfrastructure(model: PolicyModel, options: TranslateOptions, mesh: string): MeshResource[] {
  const waypoint = waypointOf(options);
  if (!waypoint) return [];
  return [...waypointNamespaces(model, options)].sort().flatMap((ns): MeshResource[] => {
    const m = meta(mesh, waypoint.name, ns, []);
    return [
      ...(waypoint.create ? [{ apiVersion: GATEWAY_API, kind: 'Gateway', metadata: { ...m, labels: { ...m.labels, [WAYPOINT_FOR_LABEL]: 'service' } }, spec: { gatewayClassName: WAYPOINT_CLASS, listeners: [{ name: 'mesh', port: HBONE_PORT, protocol: 'HBONE' }] } satisfies GatewaySpec }] : []),
      // The label alone, applied by server-side apply and given back likewise (as Linkerd's namespace annotation).
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { [USE_WAYPOINT_LABEL]: waypoint.name } } },
    ];
  });
}

/** The pod port a Service port sends to: its numeric targetPort, its port, or a named port the workloads agree on. */
export function servicePortTarget(port: Service['ports'][number], workloads: readonly Workload[]): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  if (port.targetPort === undefined) return port.port;
  const named = new Set(workloads.flatMap((w) => w.ports.filter((p) => p.name === port.targetPort).map((p) => p.port)));
  return named.size === 1 ? [...named][0] : undefined;
}

/**
 * The ports a waypoint policy on this Service may list so that it admits exactly the granted pod
 * ports whether Istio matches the Service's port or the pod's there: the granted pod ports and the
 * Service ports that send to them, less any number that would also admit a port not granted. What
 * that takes away is returned as lost (narrower).
 */
export function waypointPorts(service: Service, workloads: readonly Workload[], granted: readonly number[]): { ports: number[]; lost: number[] } {
  const tcp = service.ports.filter((p) => (p.protocol ?? 'TCP').toUpperCase() === 'TCP').map((p) => ({ port: p.port, target: servicePortTarget(p, workloads) }));
  const isGranted = (n: number | undefined) => n !== undefined && granted.includes(n);
  const candidates = new Set([...granted, ...tcp.filter((p) => isGranted(p.target)).map((p) => p.port)]);
  const unsafe = (n: number) => tcp.some((p) => p.port === n && !isGranted(p.target)) || (!isGranted(n) && tcp.some((p) => p.target === n));
  const ports = [...candidates].filter((n) => !unsafe(n)).sort((a, b) => a - b);
  const lost = [...new Set(tcp.filter((p) => isGranted(p.target) && (!ports.includes(p.port) || !ports.includes(p.target!))).map((p) => p.target!))].sort((a, b) => a - b);
  return { ports, lost };
}

/** A rule with its pod ports rewritten for a Service at the waypoint; undefined when none of its ports is left. */
function atService(rule: AuthorizationRule, service: Service, workloads: readonly Workload[], lost: Set<number>): AuthorizationRule | undefined {
  const to = rule.to?.map((t) => {
    const ports = t.operation?.ports;
    if (!ports) return t;
    const mapped = waypointPorts(service, workloads, ports.map(Number));
    mapped.lost.forEach((p) => lost.add(p));
    return mapped.ports.length === 0 ? undefined : { ...t, operation: { ...t.operation, ports: mapped.ports.map(String) } };
  });
  if (to && to.some((t) => t === undefined)) return undefined;
  return { ...rule, ...(to ? { to: to as NonNullable<AuthorizationRule['to']> } : {}) };
}

export function waypointResources(model: PolicyModel, report: Report, waypoint: { name: string; create: boolean }, enrolled: ReadonlySet<string>, grants: ReadonlyMap<string, WaypointGrants>, mesh: string): MeshResource[] {
  const out: MeshResource[] = [];
  const fronted = new Set<string>();
  for (const ns of [...enrolled].sort()) {
    // Deny by default at the waypoint: a Service no policy below names (no pods, pods smi does not govern
    // in strict mode, a selector-less Service whose endpoints someone keeps by hand) lets nothing through.
    out.push({ apiVersion: AUTHZ_API, kind: 'AuthorizationPolicy', metadata: meta(mesh, 'smi--waypoint-deny-by-default', ns, []), spec: { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: waypoint.name }], action: 'ALLOW' } });
    const services = [...model.inventory.services.values()].filter((s) => s.namespace === ns && s.selector !== undefined).sort((a, b) => a.name.localeCompare(b.name));
    const selectedBy = (service: Service) => workloadsIn(model.inventory, ns).filter((w) => selects(service.selector, w.labels));
    const identitiesOf = (workloads: readonly Workload[]) => [...new Set(workloads.map((w) => `${w.namespace}/${w.serviceAccount}`))].sort();
    for (const service of services) {
      // The root of a split: the waypoint routes its requests to the backends' pods (and, outside the
      // split's matches, to its own), so its one policy must hold for every identity they reach.
      const split = model.splits.get(`${ns}/${service.name}`);
      const viaSplit = split !== undefined;
      const selected = [...selectedBy(service), ...(split?.backends ?? []).flatMap((b) => { const s = model.inventory.services.get(`${ns}/${b.service}`); return s ? selectedBy(s) : []; })];
      const identities = identitiesOf(selected);
      const name = derivedName(resourceName('smi', service.name), 'waypoint');
      const spec = (rules: readonly AuthorizationRule[]) => ({ targetRefs: [{ kind: 'Service', group: '', name: service.name }], action: 'ALLOW' as const, ...(rules.length > 0 ? { rules: [...rules] } : {}) });
      if (identities.length === 0) continue;
      if (identities.length > 1) {
        // One policy per Service at the waypoint, whichever pod gets the request: it cannot hold two identities' grants.
        const refs = identities.flatMap((i) => grants.get(i)?.refs ?? []);
        report(refs[0], 'error', 'ISTIO_WAYPOINT_SERVICE_SHARED',
          `Service ${ns}/${service.name} ${viaSplit ? 'selects or splits to' : 'selects'} pods of ${identities.join(', ')}; the waypoint applies one policy per Service whichever pod serves the request, so it cannot carry each one's grants: it allows nothing through this Service (narrower than SMI). Give each ServiceAccount's workloads their own Service`);
        out.push({ apiVersion: AUTHZ_API, kind: 'AuthorizationPolicy', metadata: meta(mesh, name, ns, refs), spec: spec([]) });
        continue;
      }
      const id = identities[0]!;
      const g = grants.get(id);
      if (!g) {
        // Not governed by smi (per-destination mode): it lets anything through, as without a waypoint. In strict mode the waypoint's deny decides.
        if (model.mode !== 'strict') out.push({ apiVersion: AUTHZ_API, kind: 'AuthorizationPolicy', metadata: meta(mesh, name, ns, []), spec: spec([{}]) });
        continue;
      }
      if (!viaSplit) fronted.add(id);
      const lost = new Set<number>();
      // A split's root sends its port P on to each backend's port P (split.ts): the ports the root leads to are the backends' as well as its own.
      const backendPorts = (split?.backends ?? []).flatMap((b) => model.inventory.services.get(`${ns}/${b.service}`)?.ports.filter((p) => service.ports.some((r) => r.port === p.port)) ?? []);
      const reaching: Service = { ...service, ports: [...service.ports, ...backendPorts] };
      const rules = g.rules.flatMap((r) => atService(r, reaching, selected, lost) ?? []);
      if (lost.size > 0) {
        report(g.refs[0], 'error', 'ISTIO_WAYPOINT_PORTS_NARROWED',
          `Service ${ns}/${service.name}${viaSplit ? ' (the root of a split, with its backends)' : ''}: its port numbers overlap the granted pod ports of ${id} (${[...lost].join(', ')}) in a way where listing them at the waypoint would also admit ports SMI does not grant; those grants are left out through it (narrower than SMI). Give the Services distinct port numbers`);
      }
      out.push({ apiVersion: AUTHZ_API, kind: 'AuthorizationPolicy', metadata: meta(mesh, name, ns, g.refs), spec: spec(rules) });
    }
  }
  for (const [id, g] of [...grants].sort(([a], [b]) => a.localeCompare(b))) {
    if (!g.routeLevel) continue;
    if (fronted.has(id)) {
      report(g.refs[0], 'warning', 'ISTIO_WAYPOINT_SERVICE_TRAFFIC',
        `${id}: its route-level grants are enforced by the waypoint ${waypoint.name}, which takes traffic addressed to Services (istio.io/waypoint-for: service); a request sent to a pod's own address, or to a port no Service of it exposes, does not pass the waypoint, and ztunnel admits only L4 grants there (narrower)`);
      continue;
    }
    report(g.refs[0], 'error', 'ISTIO_WAYPOINT_NO_SERVICE',
      `${id} has route-level grants, but no Service selects only its pods, and a waypoint sees traffic addressed to Services: the route-level grants are left out (narrower than SMI). Put its workloads behind a Service of their own`);
  }
  return out;
}
