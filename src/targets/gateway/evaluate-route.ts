/**
 * Where a mesh implementing Gateway API for mesh (GAMMA, GEP-1426) sends a request to a Service,
 * from exactly the routes given: HTTP requests follow the HTTPRoutes whose parentRef is the Service
 * (on the request's port, or on every port when the parentRef has none); raw TCP follows TCPRoutes
 * likewise. Only producer routes (in the Service's namespace) are considered. A route that attaches
 * but matches nothing gives 404 (no backends); no route attached: the Service itself. Weights are
 * relative (default 1; 0 gets nothing).
 */
import type { RouteRequest } from '../../policy/request.js';
import type { MeshResource, MeshRoute } from '../target.js';
import { pickRule } from './route-match.js';
import { resourcesOf } from '../resource-index.js';
import { HTTP_ROUTE, TCP_ROUTE, UDP_ROUTE, type HTTPBackendRef, type ParentRef } from './types.js';
import type { ResourceOf } from '../resource-kind.js';

function attaches(route: ResourceOf<{ parentRefs?: ParentRef[] }>, request: RouteRequest): boolean {
  if ((route.metadata.namespace ?? '') !== request.service.namespace) return false;
  const parents = route.spec?.parentRefs ?? [];
  return parents.some((p) => (p.group ?? 'gateway.networking.k8s.io') === '' && p.kind === 'Service' && p.name === request.service.name &&
    (p.namespace ?? route.metadata.namespace) === request.service.namespace && (p.port === undefined || p.port === request.port));
}

/** A backendRef as HTTPRoute, TCPRoute and UDPRoute all write it. */
type BackendRef = Pick<HTTPBackendRef, 'name' | 'namespace' | 'kind' | 'group' | 'weight'>;
type Routes = readonly ResourceOf<{ parentRefs?: ParentRef[]; rules?: readonly { backendRefs?: readonly BackendRef[] }[] }>[];

export function shares(refs: readonly BackendRef[], namespace: string): MeshRoute['backends'] {
  const weights = refs.map((r) => r.weight ?? 1);
  const total = weights.reduce((s, w) => s + w, 0);
  const out = new Map<string, number>();
  if (total === 0) return [];
  refs.forEach((r, i) => {
    if ((weights[i] ?? 0) === 0 || (r.kind ?? 'Service') !== 'Service' || (r.group ?? '') !== '') return;
    const key = `${r.namespace ?? namespace}/${r.name}`;
    out.set(key, (out.get(key) ?? 0) + (weights[i] ?? 0) / total);
  });
  return [...out].map(([service, share]) => ({ service, share }));
}

export function evaluateGatewayRoute(resources: readonly MeshResource[], request: RouteRequest): MeshRoute {
  const root = `${request.service.namespace}/${request.service.name}`;
  const namespace = request.service.namespace;
  // Only producer routes, in the Service's namespace: looked up there, not scanned for (list order kept).
  const attached = (routes: Routes) => routes.filter((r) => attaches(r, request));
  const none = (kind: string) => ({ backends: [{ service: root, share: 1 }], reasons: [`no ${kind} attaches to Service ${root}${request.port !== undefined ? ` port ${request.port}` : ''}; the Service itself serves it`] });
  if (request.protocol === 'http') {
    const routes = resourcesOf(resources, HTTP_ROUTE, namespace).filter((r) => attaches(r, request));
    if (routes.length === 0) return none('HTTPRoute');
    if (!request.http) return firstRule(routes, 'HTTPRoute', namespace);
    const picked = pickRule(routes, request.http);
    if (!picked) return { backends: [], reasons: [`${routes.map((r) => r.metadata.name).join(', ')} attach but no rule matches: 404`] };
    return { backends: shares(picked.rule.backendRefs ?? [], namespace), reasons: [`rule ${picked.ruleIndex} of HTTPRoute ${picked.route.metadata.name}`] };
  }
  const kind = request.protocol === 'tcp' ? TCP_ROUTE : UDP_ROUTE;
  const routes = attached(resourcesOf(resources, kind, namespace));
  return routes.length === 0 ? none(kind.kind) : firstRule(routes, kind.kind, namespace);
}

/** Routes without matches (TCP, UDP; HTTP asked without a request): the first route (by name) and its first rule. */
function firstRule(routes: Routes, kind: string, namespace: string): MeshRoute {
  const [first] = [...routes].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const rule = first!.spec?.rules?.[0];
  return { backends: shares(rule?.backendRefs ?? [], namespace), reasons: [`${kind} ${first!.metadata.name}`] };
}
