/**
 * What Linkerd's inbound proxy decides from a set of policy resources — written from Linkerd's docs
 * ("Authorization Policy" reference and feature page), not from how smi writes them:
 * - a Server selects pods (podSelector) and one port, which must be a port in the pod spec; with no
 *   Server on the port the pod's default inbound policy decides (not something these resources say,
 *   so reported as not enforced). Servers must not overlap (an admission check); if several select
 *   the port anyway, the most permissive answer is taken so that proofs hold whichever Linkerd uses;
 * - traffic no AuthorizationPolicy authorizes falls to the Server's accessPolicy (default deny);
 * - an AuthorizationPolicy targeting the Server (or the Namespace) authorizes all traffic to it; one
 *   targeting an HTTPRoute authorizes the requests that route takes; all requiredAuthenticationRefs
 *   must be satisfied (MeshTLSAuthentication: identities, "*" for any meshed client, "*.suffix";
 *   identityRefs to ServiceAccounts; or a ServiceAccount directly);
 * - HTTP with HTTPRoutes attached to the Server: one route takes the request (Gateway API
 *   precedence); a request no route takes gets 404. Without routes, a default route takes it all.
 *   Non-HTTP traffic is authorized at the Server level only. UDP is not proxied.
 */
import type { Identity, Workload } from '../../policy/model.js';
import type { AccessRequest } from '../../policy/request.js';
import type { EvaluationContext, MeshDecision, MeshResource, TranslateOptions } from '../target.js';
import type { LinkerdDefaultPolicy } from './options.js';
import { workloadOpaquePorts } from './opaque-ports.js';
import { pickRule } from '../gateway/route-match.js';
import { AUTHORIZATION_POLICY, DEFAULT_INBOUND_POLICY_ANNOTATION, MESH_TLS_AUTHENTICATION, POLICY_GROUP, POLICY_HTTP_ROUTE, SERVER, meshIdentity, type AccessPolicy, type AuthorizationPolicySpec, type LabelSelector, type ServerSpec, type TargetRef } from './types.js';
import { HTTP_ROUTE, type HTTPRouteMatch } from '../gateway/types.js';
import { resourcesOf } from '../resource-index.js';
import { NAMESPACE, type ResourceOf } from '../resource-kind.js';

function selects(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return false;
  if (!Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v)) return false;
  return (selector.matchExpressions ?? []).every((e) => {
    const value = labels[e.key];
    switch (e.operator) {
      case 'In': return value !== undefined && (e.values ?? []).includes(value);
      case 'NotIn': return value === undefined || !(e.values ?? []).includes(value);
      case 'Exists': return value !== undefined;
      case 'DoesNotExist': return value === undefined;
      default: return false;
    }
  });
}

type Server = ResourceOf<ServerSpec>;
type Policy = ResourceOf<AuthorizationPolicySpec>;
/** Linkerd's own HTTPRoute or Gateway API's: what evaluation reads of either. */
type Route = ResourceOf<{ parentRefs?: readonly { group?: string; kind?: string; name: string }[]; rules?: { matches?: HTTPRouteMatch[] }[] }>;

function serverSelects(server: Server, workload: Workload, port: number): boolean {
  if (server.metadata.namespace !== workload.namespace) return false;
  const spec = server.spec;
  if (!spec || !selects(spec.podSelector, workload.labels)) return false;
  const declared = workload.ports.filter((p) => (p.protocol ?? 'TCP').toUpperCase() === 'TCP');
  return typeof spec.port === 'number' ? spec.port === port && declared.some((p) => p.port === port) : declared.some((p) => p.name === spec.port && p.port === port);
}

function accessPolicyAllows(policy: AccessPolicy, source: Identity | 'unauthenticated'): boolean {
  switch (policy) {
    case 'all-unauthenticated': case 'cluster-unauthenticated': case 'audit': return true;
    case 'all-authenticated': case 'cluster-authenticated': return source !== 'unauthenticated';
    default: return false;
  }
}

function identityMatches(pattern: string, identity: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return identity.endsWith(pattern.slice(1));
  return pattern === identity;
}

function authenticated(ref: TargetRef, policyNamespace: string, resources: readonly MeshResource[], source: Identity | 'unauthenticated', options: TranslateOptions): boolean {
  if (source === 'unauthenticated') return false;
  const group = ref.group ?? '';
  if (ref.kind === 'ServiceAccount' && group === '') return source.name === ref.name && source.namespace === (ref.namespace ?? policyNamespace);
  if (ref.kind !== 'MeshTLSAuthentication' || group !== POLICY_GROUP) return false; // NetworkAuthentication etc.: not satisfied here
  const authn = resourcesOf(resources, MESH_TLS_AUTHENTICATION, ref.namespace ?? policyNamespace).find((r) => r.metadata.name === ref.name);
  if (!authn?.spec) return false;
  const spec = authn.spec;
  const identity = meshIdentity(options.trustDomain, source.namespace, source.name);
  if ((spec.identities ?? []).some((p) => identityMatches(p, identity))) return true;
  return (spec.identityRefs ?? []).some((r) => r.kind === 'ServiceAccount' && r.name === source.name && (r.namespace ?? authn.metadata.namespace) === source.namespace);
}

/**
 * Lookups that depend on the resources and the workload, server or port but not on the request,
 * remembered per resource list (never changed after translation): diff asks millions of requests of one list.
 */
// Keyed by the list first: one Server object can sit in several lists (a fenced translation wraps the
// mesh's), and what attaches to it is a question about the list it is asked with.
interface Attached { policies?: Policy[]; routes?: Route[] }
const memo = new WeakMap<readonly MeshResource[], WeakMap<MeshResource, Attached>>();
function remembered<W extends keyof Attached>(resources: readonly MeshResource[], of: MeshResource, what: W, compute: () => NonNullable<Attached[W]>): NonNullable<Attached[W]> {
  let byResource = memo.get(resources);
  if (!byResource) memo.set(resources, (byResource = new WeakMap()));
  let entry = byResource.get(of);
  if (!entry) byResource.set(of, (entry = {}));
  return (entry[what] ??= compute());
}

/** The AuthorizationPolicies of a target (a Server or HTTPRoute of the list) that the source satisfies. */
function authorizedBy(resources: readonly MeshResource[], namespace: string, target: MeshResource, source: Identity | 'unauthenticated', options: TranslateOptions): string[] {
  return remembered(resources, target, 'policies', () => resourcesOf(resources, AUTHORIZATION_POLICY, namespace)
    .filter((r) => {
      const ref = r.spec?.targetRef;
      if (!ref) return false;
      if (ref.kind === 'Namespace') return ref.name === namespace;
      return ref.kind === target.kind && ref.name === target.metadata.name && (ref.group ?? '') !== '';
    }))
    .filter((r) => {
      const required = r.spec?.requiredAuthenticationRefs ?? [];
      return required.length > 0 && required.every((ref) => authenticated(ref, namespace, resources, source, options));
    })
    .map((r) => r.metadata.name);
}

function serverDecision(server: Server, resources: readonly MeshResource[], request: AccessRequest, options: TranslateOptions): { allowed: boolean; why: string; audited?: boolean } {
  const decision = authorizeAtServer(server, resources, request, options);
  // Linkerd's audit access policy lets through what nothing authorizes, and reports it: not enforced.
  const audit = (server.spec?.accessPolicy ?? 'deny') === 'audit';
  return audit && decision.allowed && decision.byDefault ? { ...decision, audited: true, why: `${decision.why} (audit: reported, not enforced)` } : decision;
}

/** byDefault: no policy authorized the client, the Server's accessPolicy decided. */
function authorizeAtServer(server: Server, resources: readonly MeshResource[], request: AccessRequest, options: TranslateOptions): { allowed: boolean; why: string; byDefault?: boolean } {
  const ns = server.metadata.namespace ?? '';
  const name = server.metadata.name;
  const fallback = accessPolicyAllows(server.spec?.accessPolicy ?? 'deny', request.source);
  const atServer = authorizedBy(resources, ns, server, request.source, options);
  if (request.protocol === 'http' && request.http) {
    // Linkerd attaches HTTPRoutes of its own group and of Gateway API's to a Server alike.
    const routes = remembered(resources, server, 'routes', () => [...resourcesOf(resources, POLICY_HTTP_ROUTE, ns), ...resourcesOf(resources, HTTP_ROUTE, ns)].filter((r) =>
      (r.spec?.parentRefs ?? []).some((p) => p.kind === 'Server' && p.group === POLICY_GROUP && p.name === name)));
    if (routes.length > 0) {
      const picked = pickRule(routes, request.http);
      if (!picked) return { allowed: false, why: `Server ${name}: no HTTPRoute takes the request (404)` };
      const atRoute = authorizedBy(resources, ns, picked.route, request.source, options);
      if (atServer.length > 0 || atRoute.length > 0) return { allowed: true, why: `Server ${name}, HTTPRoute ${picked.route.metadata.name}: authorized by ${[...atServer, ...atRoute].join(', ')}` };
      return { allowed: fallback, byDefault: true, why: `Server ${name}, HTTPRoute ${picked.route.metadata.name}: no policy authorizes the client; accessPolicy ${fallback ? 'allows' : 'denies'}` };
    }
  }
  if (atServer.length > 0) return { allowed: true, why: `Server ${name}: authorized by ${atServer.join(', ')}` };
  return { allowed: fallback, byDefault: true, why: `Server ${name}: no policy authorizes the client; accessPolicy ${fallback ? 'allows' : 'denies'}` };
}

/** The Servers selecting a workload's port, per resource list, workload and port. */
const serversMemo = new WeakMap<readonly MeshResource[], WeakMap<Workload, Map<number, Server[]>>>();
function serversOf(resources: readonly MeshResource[], workload: Workload, port: number): Server[] {
  let byWorkload = serversMemo.get(resources);
  if (!byWorkload) serversMemo.set(resources, (byWorkload = new WeakMap()));
  let byPort = byWorkload.get(workload);
  if (!byPort) byWorkload.set(workload, (byPort = new Map()));
  let servers = byPort.get(port);
  if (!servers) byPort.set(port, (servers = resourcesOf(resources, SERVER, workload.namespace).filter((r) => serverSelects(r, workload, port))));
  return servers;
}

export function evaluateLinkerdAccess(resources: readonly MeshResource[], workload: Workload, asked: AccessRequest, options: TranslateOptions, context?: EvaluationContext): MeshDecision {
  if (asked.protocol === 'udp') return { allowed: true, enforced: false, reasons: ["Linkerd's proxy does not carry UDP"] };
  // On an opaque port the connection is carried as TCP: no route sees the HTTP request.
  const opaque = asked.protocol === 'http' && asked.port !== undefined && workloadOpaquePorts(workload, context?.inventory, options).has(asked.port);
  const request: AccessRequest = opaque ? { source: asked.source, destination: asked.destination, port: asked.port, protocol: 'tcp' } : asked;
  const port = request.port;
  if (port === undefined) {
    const why = 'Linkerd decides per destination port, and the request names none';
    return { allowed: false, enforced: true, reasons: [why], unanswerable: why };
  }
  const servers = serversOf(resources, workload, port);
  if (servers.length === 0) {
    const where = `no Server selects ${workload.kind}/${workload.name} port ${port}`;
    // A namespace annotation (smi writes it with --linkerd-namespace-deny) overrides the cluster's default.
    const annotated = resourcesOf(resources, NAMESPACE, undefined).find((r) => r.metadata.name === workload.namespace)?.metadata.annotations?.[DEFAULT_INBOUND_POLICY_ANNOTATION];
    const policy = (annotated as LinkerdDefaultPolicy | undefined) ?? options.linkerdDefaultPolicy;
    if (policy === undefined) return { allowed: true, enforced: false, reasons: [`${where}: the default inbound policy decides, and it is not known`] };
    const allowed = accessPolicyAllows(policy, request.source);
    // The default is the cluster's, not part of these resources: only a denial is something smi relies on.
    return { allowed, enforced: !allowed, reasons: [`${where}: the default inbound policy ${policy} ${allowed ? 'allows' : 'denies'}`] };
  }
  const decisions = servers.map((s) => serverDecision(s, resources, request, options));
  const allowed = decisions.some((d) => d.allowed);
  const enforced = !allowed || decisions.some((d) => d.allowed && !d.audited);
  return { allowed, enforced, reasons: [...(opaque ? [`port ${port} is opaque to Linkerd: the request is carried as TCP, authorized at the Server only`] : []), ...decisions.map((d) => d.why)] };
}
