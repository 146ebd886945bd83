/**
 * Services and TrafficSplits → App Mesh routing: a VirtualService per Service (awsName: its cluster
 * DNS name), provided by a "service" VirtualNode without pods that reaches the Service by DNS, or —
 * for a split root — by a VirtualRouter. Per root port the router holds a tcpRoute with the weighted
 * backends (a split without matches: TCP-level, so HTTP is split alike), or, with v1alpha4 matches,
 * one httpRoute per match and method (priority in order) and a catch-all to the root last.
 * App Mesh docs: "Virtual services", "Virtual routers", "Routes".
 */
import { inScope, provenanceLabel, type PolicyModel, type SplitPolicy } from '../../policy/model.js';
import type { Report } from '../diagnostics.js';
import { derivedName, meta, resourceName, serviceFqdn } from '../naming.js';
import { splitPortPlans } from '../split-plan.js';
import type { MeshResource, TranslateOptions } from '../target.js';
import { capWeights } from '../weights.js';
import { appMeshMatches } from './http-match.js';
import { APPMESH_API, LOWEST_PRIORITY, MAX_TARGETS, MAX_WEIGHT, type ListenerProtocol, type Route, type VirtualNodeSpec, type VirtualRouterSpec, type VirtualServiceSpec, type WeightedTarget } from './types.js';

const NOT_EXPRESSED = 'APPMESH_SPLIT_NOT_EXPRESSED';

export const serviceNodeName = (service: string): string => derivedName(resourceName(service), 'service');
export const routerName = (service: string): string => derivedName(resourceName(service), 'router');
export const virtualServiceName = (service: string): string => resourceName(service);

/** What the access side needs to know about routing: which VirtualService stands for a Service. */
export interface Routing {
  readonly resources: MeshResource[];
  /** namespace/name of a Service → its VirtualService's namespace/name. */
  readonly virtualServices: ReadonlyMap<string, { namespace: string; name: string }>;
  /** Split roots with a router, and the Services their routes lead to. */
  readonly routedRoots: ReadonlyMap<string, readonly string[]>;
}

interface ServiceNode {
  readonly namespace: string;
  readonly name: string;
  /** port → listener protocol. */
  readonly ports: Map<number, ListenerProtocol>;
  readonly refs: SplitPolicy['ref'][];
}

export function translateRouting(model: PolicyModel, options: TranslateOptions, report: Report): Routing {
  const nodes = new Map<string, ServiceNode>();
  const node = (key: string): ServiceNode => {
    let n = nodes.get(key);
    if (!n) {
      const [namespace = '', name = ''] = key.split('/');
      nodes.set(key, (n = { namespace, name, ports: new Map(), refs: [] }));
    }
    return n;
  };
  // VirtualServices for the Services in smi's scope only: nothing is written into other namespaces.
  for (const [key, s] of model.inventory.services) if (inScope(model, s.namespace)) for (const p of s.ports) if (p.protocol === 'TCP') node(key).ports.set(p.port, 'tcp');

  const routers: MeshResource[] = [];
  const routedRoots = new Map<string, string[]>();
  const splits = [...model.splits.values()].sort((a, b) => `${a.namespace}/${a.service}`.localeCompare(`${b.namespace}/${b.service}`));
  for (const split of splits) {
    const label = provenanceLabel(split.ref);
    const rootKey = `${split.namespace}/${split.service}`;
    if (!model.inventory.services.has(rootKey)) {
      report(split.ref, 'error', NOT_EXPRESSED, `${label}: the root Service ${rootKey} is not in the input, and an App Mesh VirtualRouter needs its ports for listeners; no router is written. Include the Service`);
      continue;
    }
    if (split.matches !== undefined && split.matches.length === 0) continue; // nothing can match: the root serves every request
    const protocol: ListenerProtocol = split.matches !== undefined ? 'http' : 'tcp';
    const plans = splitPortPlans(model, split).filter((p) => p.port !== undefined) as { port: number; backends: { service: string; weight: number }[] }[];
    const tooMany = plans.find((p) => p.backends.filter((b) => b.weight > 0).length > MAX_TARGETS);
    if (tooMany) {
      report(split.ref, 'error', NOT_EXPRESSED, `${label}: App Mesh routes hold at most ${MAX_TARGETS} weighted targets, and port ${tooMany.port} has more backends; no router is written`);
      continue;
    }
    const matches = (split.matches ?? []).flatMap((m) => appMeshMatches(m));
    if (matches.length >= LOWEST_PRIORITY) {
      report(split.ref, 'error', NOT_EXPRESSED, `${label}: more matches than App Mesh route priorities (${LOWEST_PRIORITY}); no router is written`);
      continue;
    }
    // Every Service a route leads to must listen with the router's protocol on that port.
    const uses = plans.flatMap((p) => [rootKey, ...p.backends.map((b) => b.service)].map((s) => ({ service: s, port: p.port })));
    const clash = uses.find((u) => { const had = nodes.get(u.service)?.ports.get(u.port); return had !== undefined && had !== protocol && (nodes.get(u.service)?.refs.length ?? 0) > 0; });
    if (clash) {
      report(split.ref, 'error', NOT_EXPRESSED, `${label}: ${clash.service} port ${clash.port} is already routed as ${protocol === 'http' ? 'tcp' : 'http'} by another split, and an App Mesh node listens with one protocol per port; no router is written`);
      continue;
    }
    for (const u of uses) {
      const n = node(u.service);
      n.ports.set(u.port, protocol);
      if (!n.refs.includes(split.ref)) n.refs.push(split.ref);
    }

    const routes: Route[] = [];
    let rounded = 0;
    for (const plan of plans) {
      const live = plan.backends.filter((b) => b.weight > 0);
      const { weights, maxError } = capWeights(live.map((b) => b.weight), MAX_WEIGHT);
      rounded = Math.max(rounded, maxError);
      const targets: WeightedTarget[] = live.length > 0
        ? live.map((b, i) => ({ virtualNodeRef: { name: serviceNodeName(b.service.split('/')[1] ?? ''), namespace: split.namespace }, weight: weights[i] ?? 0, port: plan.port }))
        : [{ virtualNodeRef: { name: serviceNodeName(split.service), namespace: split.namespace }, weight: 1, port: plan.port }];
      if (protocol === 'tcp') {
        routes.push({ name: `p${plan.port}`, tcpRoute: { match: { port: plan.port }, action: { weightedTargets: targets } } });
        continue;
      }
      matches.forEach((m, i) => routes.push({ name: `p${plan.port}-m${i}`, priority: i, httpRoute: { match: { ...m, port: plan.port }, action: { weightedTargets: targets } } }));
      const toRoot = [{ virtualNodeRef: { name: serviceNodeName(split.service), namespace: split.namespace }, weight: 1, port: plan.port }];
      routes.push({ name: `p${plan.port}-default`, priority: LOWEST_PRIORITY, httpRoute: { match: { prefix: '/', port: plan.port }, action: { weightedTargets: toRoot } } });
    }
    if (rounded > 1e-9) report(split.ref, 'warning', 'APPMESH_WEIGHT_ROUNDED', `${label}: App Mesh weights are integers up to ${MAX_WEIGHT}; shares are off by up to ${rounded.toFixed(4)} percentage points`);
    const spec: VirtualRouterSpec = { listeners: plans.map((p) => ({ portMapping: { port: p.port, protocol } })), routes };
    routers.push({ apiVersion: APPMESH_API, kind: 'VirtualRouter', metadata: meta('appmesh', routerName(split.service), split.namespace, [split.ref]), spec });
    routedRoots.set(rootKey, [...new Set(plans.flatMap((p) => p.backends.map((b) => b.service)))]);
  }

  const resources: MeshResource[] = [...routers];
  const virtualServices = new Map<string, { namespace: string; name: string }>();
  for (const [key, n] of [...nodes].sort(([a], [b]) => a.localeCompare(b))) {
    if (n.ports.size === 0) continue;
    const httpPorts = [...n.ports].filter(([, p]) => p === 'http').map(([port]) => port).sort((a, b) => a - b);
    if (httpPorts.length > 0) {
      report(n.refs[0], 'warning', 'APPMESH_SERVICE_HTTP_ONLY',
        `${n.refs.map(provenanceLabel).join(', ')} split${n.refs.length === 1 ? 's' : ''} by HTTP matches, so App Mesh listens for HTTP on Service ${n.name} (${key}) port ${httpPorts.join(', ')}: raw TCP to it there is no longer carried by the mesh`);
    }
    const hostname = serviceFqdn(n.name, n.namespace, options.clusterDomain);
    const listeners = [...n.ports].sort(([a], [b]) => a - b).map(([port, protocol]) => ({ portMapping: { port, protocol } }));
    const nodeSpec: VirtualNodeSpec = { listeners, serviceDiscovery: { dns: { hostname } } };
    resources.push({ apiVersion: APPMESH_API, kind: 'VirtualNode', metadata: meta('appmesh', serviceNodeName(n.name), n.namespace, n.refs), spec: nodeSpec });
    const routed = routedRoots.has(key);
    const vsSpec: VirtualServiceSpec = {
      awsName: hostname,
      provider: routed ? { virtualRouter: { virtualRouterRef: { name: routerName(n.name), namespace: n.namespace } } } : { virtualNode: { virtualNodeRef: { name: serviceNodeName(n.name), namespace: n.namespace } } },
    };
    resources.push({ apiVersion: APPMESH_API, kind: 'VirtualService', metadata: meta('appmesh', virtualServiceName(n.name), n.namespace, n.refs), spec: vsSpec });
    virtualServices.set(key, { namespace: n.namespace, name: virtualServiceName(n.name) });
  }
  return { resources, virtualServices, routedRoots };
}
