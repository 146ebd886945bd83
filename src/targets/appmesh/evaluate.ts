/**
 * App Mesh's decisions over the resources smi wrote: a request reaches a pod's proxy through the
 * listener on its port (other ports bypass the proxy); a STRICT listener takes only clients whose
 * certificate SAN it lists, an http listener only HTTP. Routing follows VirtualService → router
 * (routes by port, then priority) or node → the Service its DNS name names.
 */
import type { Workload } from '../../policy/model.js';
import type { AccessRequest, RouteRequest } from '../../policy/request.js';
import { catches } from '../selectors.js';
import { serviceFqdn } from '../naming.js';
import type { MeshDecision, MeshResource, MeshRoute, TranslateOptions } from '../target.js';
import { appMeshMatchFits } from './http-match.js';
import { VIRTUAL_NODE, VIRTUAL_ROUTER, VIRTUAL_SERVICE, spiffeId, type WeightedTarget } from './types.js';
import { resourcesOf } from '../resource-index.js';
import { allOfKind } from '../resource-kind.js';

/** A VirtualNode named by a reference, in the namespace it names (or the referrer's). */
const nodeNamed = (resources: readonly MeshResource[], ref: { name: string; namespace?: string }, namespace: string) =>
  resourcesOf(resources, VIRTUAL_NODE, ref.namespace ?? namespace).find((r) => r.metadata.name === ref.name);

export function evaluateAppMeshAccess(resources: readonly MeshResource[], workload: Workload, request: AccessRequest, options: TranslateOptions): MeshDecision {
  if (request.protocol === 'udp') return { allowed: true, enforced: false, reasons: ['App Mesh does not proxy UDP'] };
  const nodes = resourcesOf(resources, VIRTUAL_NODE, workload.namespace).filter((r) => r.spec?.podSelector && catches(r.spec.podSelector.matchLabels, workload));
  if (nodes.length === 0) return { allowed: true, enforced: false, reasons: [`no VirtualNode selects ${workload.name}: it is not in the mesh`] };
  if (nodes.length > 1) return { allowed: false, enforced: true, reasons: [`VirtualNodes ${nodes.map((n) => n.metadata.name).join(', ')} all select ${workload.name}: the App Mesh injector does not admit it`] };
  if (request.port === undefined) return { allowed: false, enforced: true, reasons: [], unanswerable: 'App Mesh decides per listener port: name the port' };
  const node = nodes[0]!;
  const l = (node.spec?.listeners ?? []).find((x) => x.portMapping.port === request.port);
  if (!l) return { allowed: true, enforced: false, reasons: [`VirtualNode ${node.metadata.name} has no listener on ${request.port}: the traffic bypasses the proxy`] };
  if (l.portMapping.protocol === 'http' && request.protocol !== 'http') return { allowed: false, enforced: true, reasons: [`listener ${request.port} speaks http: raw TCP is refused`] };
  if (!l.tls || l.tls.mode !== 'STRICT') return { allowed: true, enforced: true, reasons: [`listener ${request.port} does not require mutual TLS`] };
  if (request.source === 'unauthenticated') return { allowed: false, enforced: true, reasons: [`listener ${request.port} requires mutual TLS`] };
  const san = spiffeId(options.trustDomain, request.source.namespace, request.source.name);
  const sans = l.tls.validation?.subjectAlternativeNames.match.exact;
  const ok = sans === undefined || sans.includes(san);
  return { allowed: ok, enforced: true, reasons: [`listener ${request.port} of ${node.metadata.name} ${ok ? 'accepts' : 'does not list'} ${san}`] };
}

/** namespace/name of the Service a DNS-discovered node stands for. */
function serviceOfNode(resources: readonly MeshResource[], ref: { name: string; namespace?: string }, namespace: string): string | undefined {
  const host = nodeNamed(resources, ref, namespace)?.spec?.serviceDiscovery.dns.hostname;
  const [name, ns] = host?.split('.') ?? [];
  return name && ns ? `${ns}/${name}` : undefined;
}

function shares(resources: readonly MeshResource[], targets: readonly WeightedTarget[], namespace: string): { service: string; share: number }[] {
  const total = targets.reduce((s, t) => s + t.weight, 0);
  const out = new Map<string, number>();
  for (const t of targets) {
    const s = serviceOfNode(resources, t.virtualNodeRef, namespace);
    if (s && t.weight > 0) out.set(s, (out.get(s) ?? 0) + t.weight / total);
  }
  return [...out].map(([service, share]) => ({ service, share }));
}

export function evaluateAppMeshRoute(resources: readonly MeshResource[], request: RouteRequest, options: TranslateOptions): MeshRoute {
  const root = `${request.service.namespace}/${request.service.name}`;
  const host = serviceFqdn(request.service.name, request.service.namespace, options.clusterDomain);
  const vs = allOfKind(resources, VIRTUAL_SERVICE).find((r) => r.spec?.awsName === host);
  if (!vs?.spec) return { backends: [{ service: root, share: 1 }], reasons: [`no VirtualService for ${host}: traffic passes through to the Service`] };
  const provider = vs.spec.provider;
  if (provider.virtualNode) {
    const node = nodeNamed(resources, provider.virtualNode.virtualNodeRef, request.service.namespace);
    const l = node?.spec?.listeners?.find((x) => request.port === undefined || x.portMapping.port === request.port);
    if (l?.portMapping.protocol === 'http' && request.protocol !== 'http') return { backends: [], reasons: [`${root} listens for http on ${request.port}: raw TCP is not carried`] };
    return { backends: [{ service: serviceOfNode(resources, provider.virtualNode.virtualNodeRef, request.service.namespace) ?? root, share: 1 }], reasons: [`VirtualService ${vs.metadata.name} → node ${provider.virtualNode.virtualNodeRef.name}`] };
  }
  const ref = provider.virtualRouter!.virtualRouterRef;
  const router = resourcesOf(resources, VIRTUAL_ROUTER, ref.namespace ?? request.service.namespace).find((r) => r.metadata.name === ref.name);
  const spec = router?.spec;
  const l = spec?.listeners.find((x) => request.port === undefined || x.portMapping.port === request.port);
  if (!spec || !l) return { backends: [], reasons: [`router ${ref.name} has no listener on ${request.port}`] };
  const port = l.portMapping.port;
  if (l.portMapping.protocol === 'http') {
    if (request.protocol !== 'http' || !request.http) return { backends: [], reasons: [`router ${ref.name} listens for http on ${port}: raw TCP is not carried`] };
    const http = request.http;
    const routes = spec.routes.filter((r) => r.httpRoute && (r.httpRoute.match.port ?? port) === port).sort((a, b) => (a.priority ?? 1000) - (b.priority ?? 1000));
    const hit = routes.find((r) => appMeshMatchFits(r.httpRoute!.match, http));
    if (!hit) return { backends: [], reasons: [`no route of ${ref.name} matches: 404`] };
    return { backends: shares(resources, hit.httpRoute!.action.weightedTargets, request.service.namespace), reasons: [`route ${hit.name} of ${ref.name}`] };
  }
  const hit = spec.routes.find((r) => r.tcpRoute && (r.tcpRoute.match?.port ?? port) === port);
  if (!hit) return { backends: [], reasons: [`no tcp route of ${ref.name} for ${port}`] };
  return { backends: shares(resources, hit.tcpRoute!.action.weightedTargets, request.service.namespace), reasons: [`route ${hit.name} of ${ref.name}`] };
}
