/**
 * What Istio does with a set of resources — written from Istio's documentation, not from how our
 * translator builds them, so that tests comparing it with the SMI semantics mean something.
 *
 * AuthorizationPolicy (Istio docs, "Authorization Policy" reference, "Allow/deny evaluation"):
 * DENY policies first; no ALLOW policy selecting the workload ⇒ allow; otherwise allow iff some
 * ALLOW rule matches. A policy without selector applies to its namespace (the root namespace: mesh
 * wide). A rule matches when from, to and when all match; an ALLOW rule with HTTP-only fields never
 * matches plain TCP. String matches: exact, "x*" prefix, "*x" suffix, "*" presence (non-empty).
 * Paths are matched without the query string (Envoy PathMatcher). Istio does not intercept UDP.
 *
 * VirtualService (Istio docs, "Virtual Service" reference): the first HTTP (or TCP) route whose match
 * blocks fit wins; within a block every field must fit; regexes are RE2 full matches; weights are
 * percentages. No VirtualService for the host ⇒ the root service.
 */
import { normalizedHttp, type PathView } from '../envoy-path.js';
import { istioPortProtocol } from './protocol.js';
import type { Workload } from '../../policy/model.js';
import type { AccessRequest, RouteRequest } from '../../policy/request.js';
import type { EvaluationContext, MeshDecision, MeshResource, MeshRoute, TranslateOptions } from '../target.js';
import { DEFAULT_ISTIO_ROOT_NAMESPACE, isAmbient } from './options.js';
import { re2FullMatch } from '../full-match.js';
import { AUTHORIZATION_POLICY, USE_WAYPOINT_LABEL, VIRTUAL_SERVICE, principal, serviceHost, type AuthorizationPolicySpec, type AuthorizationRule, type HttpMatchRequest, type HttpRoute, type RouteDestination, type StringMatch, type TcpRoute, type VirtualServiceSpec } from './types.js';
import { resourcesIn, resourcesOf } from '../resource-index.js';
import { isOfKind, NAMESPACE, type ResourceOf } from '../resource-kind.js';
import { servicesSelecting } from '../../policy/inventory.js';
import { servicePortTarget } from './waypoint.js';
import { DATAPLANE_MODE_LABEL, enrolledInAmbient } from './enrolment.js';
import { evaluateGatewayRoute } from '../gateway/evaluate-route.js';
import { HTTP_ROUTE, TCP_ROUTE, type ParentRef } from '../gateway/types.js';

/** Istio's string match for principals, paths and header values. */
/**
 * A header condition's value as Istio's HeaderMatcher turns it into Envoy's: `*` is present_match
 * (any value, the empty one too), `*x` a suffix, `x*` a prefix, else exact.
 */
function istioHeaderMatch(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  return pattern === '*' ? true : istioStringMatch(pattern, value);
}

/** Principals, namespaces, methods, paths: Istio's StringMatcher, where `*` alone is a non-empty value (regex `.+`). */
function istioStringMatch(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (pattern === '*') return value !== '';
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  return value === pattern;
}

type Policy = ResourceOf<AuthorizationPolicySpec>;

function selects(resource: Policy, workload: Workload, rootNamespace: string): boolean {
  const ns = resource.metadata.namespace;
  if (ns !== workload.namespace && ns !== rootNamespace) return false;
  // A policy with targetRefs applies at the waypoint (or gateway) it names, never at a workload's own proxy or ztunnel.
  if ((resource.spec?.targetRefs ?? []).length > 0) return false;
  const labels = resource.spec?.selector?.matchLabels;
  if (labels === undefined) return true;
  return Object.entries(labels).every(([k, v]) => workload.labels[k] === v);
}

/** The caller's principal as Istio sees it (its SPIFFE name without the scheme), or undefined without mTLS. */
const peerOf = (request: AccessRequest, options: TranslateOptions): string | undefined =>
  request.source === 'unauthenticated' ? undefined : principal(options.trustDomain, request.source.namespace, request.source.name);

function ruleMatches(rule: AuthorizationRule, request: AccessRequest, peer: string | undefined, opaquePort = false): boolean {
  // On a port Istio treats as TCP (Service protocol declared so), the listener sees no HTTP: HTTP fields never match.
  const isHttp = request.protocol === 'http' && request.http !== undefined && !opaquePort;
  if (rule.from && rule.from.length > 0) {
    const fromOk = rule.from.some(({ source }) => {
      if (!source) return true;
      if (source.principals && !source.principals.some((p) => istioStringMatch(p, peer))) return false;
      if (source.notPrincipals?.some((p) => istioStringMatch(p, peer))) return false;
      const peerNs = request.source === 'unauthenticated' ? undefined : request.source.namespace;
      if (source.namespaces && !source.namespaces.some((n) => istioStringMatch(n, peerNs))) return false;
      return true;
    });
    if (!fromOk) return false;
  }
  if (rule.to && rule.to.length > 0) {
    const toOk = rule.to.some(({ operation }) => {
      if (!operation) return true;
      const httpOnly = operation.methods !== undefined || operation.paths !== undefined || operation.notMethods !== undefined || operation.notPaths !== undefined || operation.hosts !== undefined;
      if (httpOnly && !isHttp) return false;
      if (operation.ports && !operation.ports.includes(String(request.port ?? ''))) return false;
      if (operation.notPorts?.includes(String(request.port ?? ''))) return false;
      if (operation.methods && !operation.methods.some((m) => istioStringMatch(m, request.http?.method))) return false;
      if (operation.paths && !operation.paths.some((p) => istioStringMatch(p, request.http?.path))) return false;
      if (operation.notPaths?.some((p) => istioStringMatch(p, request.http?.path))) return false;
      return true;
    });
    if (!toOk) return false;
  }
  for (const condition of rule.when ?? []) {
    const header = /^request\.headers\[(.+)\]$/.exec(condition.key ?? '');
    if (!header) return false; // other keys: not part of what smi writes; treat as not matching (safe for ALLOW)
    if (!isHttp) return false;
    const value = request.http?.headers.get((header[1] ?? '').toLowerCase());
    if (condition.values && !condition.values.some((v) => istioHeaderMatch(v, value))) return false;
    if (condition.notValues?.some((v) => istioHeaderMatch(v, value))) return false;
  }
  return true;
}

/**
 * Istio's default path normalisation (meshConfig.pathNormalization BASE) turns on Envoy's
 * normalize_path in the sidecar; AuthorizationPolicy `paths` match request.url_path, the path
 * without its query string.
 */
export const ISTIO_PATH_VIEW: PathView = {
  query: 'excluded',
  normalization: ['envoy-canonical'],
  source: "Istio's meshConfig.pathNormalization defaults to BASE (Envoy's normalize_path, RFC 3986); AuthorizationPolicy paths match the URL path, without the query string (Istio's Operation.paths reference)",
};

export function evaluateIstioAccess(resources: readonly MeshResource[], workload: Workload, given: AccessRequest, options: TranslateOptions, context?: EvaluationContext): MeshDecision {
  if (given.protocol === 'udp') return { allowed: true, enforced: false, reasons: ['Istio does not intercept UDP'] };
  // Ambient: ztunnel judges the connection (every port is opaque to it, rules with HTTP fields never
  // match: Istio's fail-safe for ALLOW), and a waypoint, where there is one, the requests to Services.
  if (isAmbient(options)) return evaluateAmbient(resources, workload, given, options, context);
  const http = given.http && normalizedHttp(ISTIO_PATH_VIEW, given.http);
  if (given.http && !http) return { allowed: false, enforced: true, reasons: ["the sidecar's Envoy refuses the path (400)"] };
  const request: AccessRequest = http === given.http ? given : { ...given, ...(http ? { http } : {}) };
  const opaque = context !== undefined && request.port !== undefined && istioPortProtocol(context.inventory, workload, request.port).kind === 'opaque';
  return authorizeOn(resources, workload, request, options, opaque);
}

/** The policies selecting a workload, per resource list, workload and root namespace: the same for every request it is asked. */
interface Selecting { readonly selecting: Policy[]; readonly shadow: Policy[]; readonly real: Policy[] }
const selectingMemo = new WeakMap<readonly MeshResource[], WeakMap<Workload, Map<string, Selecting>>>();

function selectingPolicies(resources: readonly MeshResource[], workload: Workload, root: string): Selecting {
  let byWorkload = selectingMemo.get(resources);
  if (!byWorkload) selectingMemo.set(resources, (byWorkload = new WeakMap()));
  let byRoot = byWorkload.get(workload);
  if (!byRoot) byWorkload.set(workload, (byRoot = new Map()));
  let found = byRoot.get(root);
  if (!found) {
    const selecting = resourcesIn(resources, AUTHORIZATION_POLICY, [workload.namespace, root]).filter((r) => selects(r, workload, root));
    const shadow = selecting.filter((r) => r.metadata.annotations?.['istio.io/dry-run'] === 'true');
    byRoot.set(root, (found = { selecting, shadow, real: selecting.filter((r) => !shadow.includes(r)) }));
  }
  return found;
}

/** The policies that select the workload (its namespace's and the root namespace's), dry run included. */
function authorizeOn(resources: readonly MeshResource[], workload: Workload, request: AccessRequest, options: TranslateOptions, opaque: boolean): MeshDecision {
  const root = options.istioRootNamespace ?? DEFAULT_ISTIO_ROOT_NAMESPACE;
  const { selecting, shadow, real: enforced } = selectingPolicies(resources, workload, root);
  if (shadow.length > 0) return judge(selecting, shadow, enforced, request, options, opaque);
  if (workload.namespace === root && selecting.length === 0) {
    // What Istio decides here rests on the mesh-wide policies the cluster keeps in its root namespace, not on these resources.
    return { allowed: true, enforced: false, reasons: [`${workload.namespace} is Istio's root namespace: no policy of these resources applies, the cluster's own mesh-wide policies decide`] };
  }
  return authorize(selecting, request, options, opaque);
}

/** Dry-run policies are evaluated in the shadow only: they never change the decision. */
function judge(selecting: readonly Policy[], shadow: readonly Policy[], enforced: readonly Policy[], request: AccessRequest, options: TranslateOptions, opaque: boolean): MeshDecision {
  const real = authorize(enforced, request, options, opaque);
  if (shadow.length === 0) return real;
  const would = authorize(selecting, request, options, opaque);
  if (real.allowed !== would.allowed) return { allowed: real.allowed, enforced: false, reasons: [`dry run: the policies would ${would.allowed ? 'allow' : 'deny'} (${would.reasons.join('; ')}), recorded but not enforced`] };
  return real;
}

/** The waypoint a namespace's Services use: the istio.io/use-waypoint label smi writes on it. */
function waypointOfNamespace(resources: readonly MeshResource[], namespace: string): string | undefined {
  return resourcesOf(resources, NAMESPACE, undefined).find((r) => r.metadata.name === namespace)?.metadata.labels?.[USE_WAYPOINT_LABEL];
}

/** The policies a waypoint applies to requests for a Service: those naming the Service, and those naming the waypoint itself. */
function waypointPolicies(resources: readonly MeshResource[], namespace: string, service: string, waypoint: string): Policy[] {
  return resourcesOf(resources, AUTHORIZATION_POLICY, namespace).filter((r) => (r.spec?.targetRefs ?? []).some((t) =>
    ((t.group ?? '') === '' && t.kind === 'Service' && t.name === service) || (t.group === 'gateway.networking.k8s.io' && t.kind === 'Gateway' && t.name === waypoint)));
}

/**
 * Ambient: a request reaches a pod directly, judged by ztunnel with the caller's identity, or —
 * addressed to a Service of a namespace that uses a waypoint — through the waypoint, which judges the
 * request with the caller's identity (its targetRefs policies for the Service), then ztunnel judges
 * the waypoint's connection with the waypoint's identity. Allowed when some path allows, so a path
 * SMI denies can never hide behind one it grants.
 */
function evaluateAmbient(resources: readonly MeshResource[], workload: Workload, given: AccessRequest, options: TranslateOptions, context?: EvaluationContext): MeshDecision {
  if (context && !enrolledInAmbient(context.inventory, workload)) {
    return { allowed: true, enforced: false, reasons: [`${workload.namespace}/${workload.name} is not enrolled in ambient (${DATAPLANE_MODE_LABEL}): ztunnel does not capture its traffic, and no policy applies`] };
  }
  const direct = authorizeOn(resources, workload, given, options, true);
  const waypoint = waypointOfNamespace(resources, workload.namespace);
  if (waypoint === undefined || context === undefined || given.port === undefined) return direct;
  const paths: { via: string; decision: MeshDecision }[] = [{ via: 'to the pod directly, ztunnel', decision: direct }];
  const http = given.http && normalizedHttp(ISTIO_PATH_VIEW, given.http);
  const request: AccessRequest = http === given.http ? given : { ...given, ...(http ? { http } : {}) };
  for (const path of waypointPaths(resources, workload, given.port, waypoint, options, context)) {
    const via = `through waypoint ${waypoint} for Service ${path.service}`;
    if (given.http && !http) {
      paths.push({ via, decision: { allowed: false, enforced: true, reasons: ["the waypoint's Envoy refuses the path (400)"] } });
      continue;
    }
    const atWaypoint = judge(path.selecting, path.shadow, path.enforced, request, options, path.opaque);
    if (!atWaypoint.allowed) {
      paths.push({ via, decision: atWaypoint });
      continue;
    }
    paths.push({ via, decision: { allowed: path.onward.allowed, enforced: atWaypoint.enforced && path.onward.enforced, reasons: [...atWaypoint.reasons, `then ztunnel, for the waypoint's identity: ${path.onward.reasons.join('; ')}`] } });
  }
  const open = paths.filter((p) => p.decision.allowed);
  const chosen = open.find((p) => p.decision.enforced) ?? open[0];
  const reasons = paths.map((p) => `${p.via}: ${p.decision.allowed ? 'allowed' : 'denied'} (${p.decision.reasons.join('; ')})`);
  if (chosen) return { allowed: true, enforced: chosen.decision.enforced, reasons };
  return { allowed: false, enforced: paths.every((p) => p.decision.enforced), reasons };
}

/** One way through the waypoint to a pod port: the Service addressed, the policies the waypoint applies for it, and what ztunnel then says to the waypoint. */
interface WaypointPath {
  readonly service: string;
  readonly selecting: readonly Policy[];
  readonly shadow: readonly Policy[];
  readonly enforced: readonly Policy[];
  readonly opaque: boolean;
  readonly onward: MeshDecision;
}

/** The ways through the waypoint to a workload's port, per resource list, workload and port: the same for every request (diff asks millions). */
const pathsMemo = new WeakMap<readonly MeshResource[], WeakMap<Workload, Map<number, WaypointPath[]>>>();

function waypointPaths(resources: readonly MeshResource[], workload: Workload, port: number, waypoint: string, options: TranslateOptions, context: EvaluationContext): WaypointPath[] {
  let byWorkload = pathsMemo.get(resources);
  if (!byWorkload) pathsMemo.set(resources, (byWorkload = new WeakMap()));
  let byPort = byWorkload.get(workload);
  if (!byPort) byWorkload.set(workload, (byPort = new Map()));
  let found = byPort.get(port);
  if (found) return found;
  const fronting = servicesSelecting(context.inventory, [workload]).filter((s) => s.ports.some((p) => servicePortTarget(p, [workload]) === port));
  // A Service whose routes (a split) the waypoint sends on to one of those: its requests reach the pod too.
  const names = new Set(fronting.map((s) => s.name));
  const routes: readonly ResourceOf<{ parentRefs?: readonly ParentRef[]; rules?: readonly { backendRefs?: readonly { name: string; namespace?: string }[] }[] }>[] =
    [...resourcesOf(resources, HTTP_ROUTE, workload.namespace), ...resourcesOf(resources, TCP_ROUTE, workload.namespace)];
  const routedHere = routes
    .filter((r) => (r.spec?.rules ?? []).some((rule) => (rule.backendRefs ?? []).some((b) => names.has(b.name) && (b.namespace ?? workload.namespace) === workload.namespace)))
    .flatMap((r) => (r.spec?.parentRefs ?? []).filter((p) => (p.group ?? '') === '' && p.kind === 'Service' && !names.has(p.name)).map((p) => p.name));
  const opaque = istioPortProtocol(context.inventory, workload, port).kind === 'opaque';
  // What ztunnel says to the waypoint's own connection: L4, with the waypoint's identity.
  const onward = authorizeOn(resources, workload, { source: { namespace: workload.namespace, name: waypoint }, destination: { namespace: workload.namespace, name: workload.serviceAccount }, port, protocol: 'tcp' }, options, true);
  found = [...names, ...new Set(routedHere)].map((service) => {
    const selecting = waypointPolicies(resources, workload.namespace, service, waypoint);
    const shadow = selecting.filter((r) => r.metadata.annotations?.['istio.io/dry-run'] === 'true');
    return { service, selecting, shadow, enforced: selecting.filter((r) => !shadow.includes(r)), opaque, onward };
  });
  byPort.set(port, found);
  return found;
}

/** Istio's decision from the policies that select a workload: DENY first, then ALLOW, none ⇒ allow. */
const actionOf = (r: Policy) => r.spec?.action ?? 'ALLOW';
const rulesOf = (r: Policy) => r.spec?.rules ?? [];
/**
 * DENY and ALLOW policies of a list, split once per list (the lists are memoised per workload), with
 * the decisions they can give, which depend on the list and the matching policy only: diff asks
 * millions of requests, and building the same reason string for each was most of its garbage.
 */
interface Split { readonly deny: Policy[]; readonly allow: Policy[]; readonly unmatched: MeshDecision; readonly decided: Map<Policy, MeshDecision> }
const byAction = new WeakMap<readonly Policy[], Split>();
// Shared by every request that gets them: frozen, so no caller can change another's answer.
const decision = (d: MeshDecision): MeshDecision => Object.freeze({ ...d, reasons: Object.freeze([...d.reasons]) });
const NO_ALLOW = decision({ allowed: true, enforced: true, reasons: ['no ALLOW policy selects the workload'] });

function splitOf(policies: readonly Policy[]): Split {
  let split = byAction.get(policies);
  if (!split) {
    const allow = policies.filter((r) => actionOf(r) === 'ALLOW');
    split = {
      deny: policies.filter((r) => actionOf(r) === 'DENY'), allow, decided: new Map(),
      unmatched: decision({ allowed: false, enforced: true, reasons: [`no rule of ${allow.map((p) => p.metadata.name).join(', ')} matches`] }),
    };
    byAction.set(policies, split);
  }
  return split;
}

function matched(split: Split, p: Policy, allowed: boolean): MeshDecision {
  let d = split.decided.get(p);
  if (!d) split.decided.set(p, (d = decision({ allowed, enforced: true, reasons: [`${allowed ? 'ALLOW' : 'DENY'} policy ${p.metadata.name} matches`] })));
  return d;
}

function authorize(policies: readonly Policy[], request: AccessRequest, options: TranslateOptions, opaquePort = false): MeshDecision {
  const split = splitOf(policies);
  const peer = peerOf(request, options);
  for (const p of split.deny) {
    if (rulesOf(p).some((rule) => ruleMatches(rule, request, peer, opaquePort))) return matched(split, p, false);
  }
  const allow = split.allow;
  if (allow.length === 0) return NO_ALLOW;
  for (const p of allow) {
    if (rulesOf(p).some((rule) => ruleMatches(rule, request, peer, opaquePort))) return matched(split, p, true);
  }
  return split.unmatched;
}

function stringMatch(m: StringMatch, value: string | undefined): boolean {
  if (value === undefined) return false;
  const s = m as { exact?: string; prefix?: string; regex?: string };
  if (s.exact !== undefined) return value === s.exact;
  if (s.prefix !== undefined) return value.startsWith(s.prefix);
  if (s.regex !== undefined) return re2FullMatch(s.regex, value);
  return true;
}

function httpMatches(m: HttpMatchRequest, request: RouteRequest): boolean {
  if (m.port !== undefined && m.port !== request.port) return false;
  const http = request.http;
  if (m.uri && !stringMatch(m.uri, http?.path)) return false;
  if (m.method && !stringMatch(m.method, http?.method)) return false;
  for (const [name, match] of Object.entries(m.headers ?? {})) if (!stringMatch(match as StringMatch, http?.headers.get(name.toLowerCase()))) return false;
  return true;
}

function hostToService(host: string, namespace: string, options: TranslateOptions): string {
  const suffix = `.svc.${options.clusterDomain}`;
  if (host.endsWith(suffix)) {
    const [name = '', ns = ''] = host.slice(0, -suffix.length).split('.');
    return `${ns}/${name}`;
  }
  return `${namespace}/${host.split('.')[0] ?? host}`;
}

function shares(route: readonly RouteDestination[], namespace: string, options: TranslateOptions): MeshRoute['backends'] {
  const weights = route.map((d) => d.weight ?? (route.length === 1 ? 100 : 0));
  const total = weights.reduce((s, w) => s + w, 0);
  const out = new Map<string, number>();
  route.forEach((d, i) => {
    if ((weights[i] ?? 0) === 0) return;
    const key = hostToService(d.destination?.host ?? '', namespace, options);
    out.set(key, (out.get(key) ?? 0) + (weights[i] ?? 0) / total);
  });
  return [...out].map(([service, share]) => ({ service, share }));
}

export function evaluateIstioRoute(resources: readonly MeshResource[], request: RouteRequest, options: TranslateOptions): MeshRoute {
  const root = `${request.service.namespace}/${request.service.name}`;
  if (isAmbient(options)) {
    // ztunnel balances over the Service's own endpoints; a waypoint, where the namespace uses one, follows the Service's routes.
    const waypoint = waypointOfNamespace(resources, request.service.namespace);
    if (waypoint === undefined) return { backends: [{ service: root, share: 1 }], reasons: [`${request.service.namespace} uses no waypoint: ztunnel sends to ${root}'s own endpoints`] };
    const routed = evaluateGatewayRoute(resources, request);
    return { ...routed, reasons: [`through waypoint ${waypoint}`, ...routed.reasons] };
  }
  const host = serviceHost(request.service.name, request.service.namespace, options.clusterDomain);
  const vs = resources.find((r): r is ResourceOf<VirtualServiceSpec> => isOfKind(r, VIRTUAL_SERVICE) && (r.spec?.hosts ?? []).includes(host));
  if (!vs) return { backends: [{ service: root, share: 1 }], reasons: ['no VirtualService for the host'] };
  const spec = vs.spec ?? {};
  const namespace = vs.metadata.namespace ?? request.service.namespace;
  if (request.protocol === 'http') {
    const route = (spec.http ?? []).find((r: HttpRoute) => !r.match || r.match.length === 0 || r.match.some((m) => httpMatches(m, request)));
    if (route?.route) return { backends: shares(route.route, namespace, options), reasons: [`HTTP route ${route.name ?? ''} of ${vs.metadata.name}`] };
  } else if (request.protocol === 'tcp') {
    const route = (spec.tcp ?? []).find((r: TcpRoute) => !r.match || r.match.length === 0 || r.match.some((m) => m.port === undefined || m.port === request.port));
    if (route?.route) return { backends: shares(route.route, namespace, options), reasons: [`TCP route of ${vs.metadata.name}`] };
  }
  return { backends: [{ service: root, share: 1 }], reasons: ['no route of the VirtualService fits; the root service serves it'] };
}
