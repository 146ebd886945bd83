/**
 * TrafficTargets → Istio AuthorizationPolicies (security.istio.io/v1, ALLOW). One policy per
 * destination workload group; rules per HTTP match or L4 grant; deny-by-default per access mode.
 * Istio docs: Authorization Policy reference ("Allow/deny evaluation", "Rule", "Operation").
 */
import { identityKey, inScope, provenanceLabel, type CompiledMatch, type Identity, type PolicyModel, type TargetPolicy } from '../../policy/model.js';
import { servicesSelecting, workloadsOf } from '../../policy/inventory.js';
import { istioPortProtocol } from './protocol.js';
import { regexForms } from '../../policy/regex-forms.js';
import { catches, planSelectors } from '../selectors.js';
import { grantedPorts } from '../granted-ports.js';
import { derivedName, meta, resourceName } from '../naming.js';
import type { Report } from '../diagnostics.js';
import type { MeshResource, TranslateOptions } from '../target.js';
import { DEFAULT_ISTIO_ROOT_NAMESPACE, isAmbient, waypointOf } from './options.js';
import { routeLevel, waypointIdentityTaken, waypointNamespaces, waypointResources, type WaypointGrants } from './waypoint.js';
import { DATAPLANE_MODE_LABEL, enrolledInAmbient } from './enrolment.js';
import { groupBy } from '../../group-by.js';
import { AUTHZ_API, principal, type AuthorizationRule, type Condition } from './types.js';


/** Istio lists ports as strings in a fixed order; undefined = every port, [] = none. */
const sortedPorts = (ports: ReadonlySet<number> | undefined): number[] | undefined => (ports === undefined ? undefined : [...ports].sort((a, b) => a - b));

/** Istio paths: "/x*" prefix, "/x" exact. Characters Istio treats specially cannot be literals. */
type Paths = { kind: 'any' } | { kind: 'paths'; paths: string[] } | { kind: 'inexpressible'; why: string };

function istioPaths(match: CompiledMatch): Paths {
  const forms = regexForms(match.pathRegex);
  if (forms.kind !== 'literals') return forms;
  const paths: string[] = [];
  for (const f of forms.forms) {
    if (/[*{}]/.test(f.value)) return { kind: 'inexpressible', why: `path ${JSON.stringify(f.value)} holds * or braces, which Istio reads as wildcards or templates` };
    paths.push(f.kind === 'prefix' ? `${f.value}*` : f.value);
  }
  return { kind: 'paths', paths };
}

function istioHeaderValues(regex: string): { values: string[] } | string {
  const forms = regexForms(regex);
  if (forms.kind === 'inexpressible') return forms.why;
  // "*" on a header is Envoy's present_match (Istio's HeaderMatcher): any value, the empty one too, as SMI's `.*`.
  if (forms.kind === 'any') return { values: ['*'] };
  const values: string[] = [];
  for (const f of forms.forms) {
    if (f.value.includes('*')) return `header value ${JSON.stringify(f.value)} holds *, Istio's wildcard`;
    values.push(f.kind === 'prefix' ? `${f.value}*` : f.value);
  }
  return { values };
}

/**
 * HTTP rules on ports Istio treats as TCP never match there (protocol.ts): the grant is lost on those
 * ports, an error naming each port, who declared it so, and the fix.
 */
function reportOpaquePorts(model: PolicyModel, identity: Identity, target: TargetPolicy, ports: readonly number[] | undefined, report: Report): void {
  const lost = new Map<number, string>();
  for (const w of workloadsOf(model.inventory, identity.namespace, identity.name)) {
    const candidates = ports ?? [...new Set([...w.ports.map((p) => p.port), ...servicesSelecting(model.inventory, [w]).flatMap((s) => s.ports.flatMap((p) => (typeof p.targetPort === 'number' ? [p.targetPort] : typeof p.targetPort === 'string' ? [] : [p.port])))])];
    for (const port of candidates) {
      const protocol = istioPortProtocol(model.inventory, w, port);
      if (protocol.kind === 'opaque' && !lost.has(port)) lost.set(port, protocol.declaredBy ?? '');
    }
  }
  for (const [port, declaredBy] of [...lost].sort(([a], [b]) => a - b)) {
    report(target.ref, 'error', 'ISTIO_HTTP_ON_TCP_PORT',
      `${provenanceLabel(target.ref)} grants HTTP routes on port ${port} of ${identityKey(identity)}, but ${declaredBy} declares it a protocol Istio serves as plain TCP, where rules with HTTP fields never match: the grant is lost on that port (narrower than SMI). Name the Service port http-… (or set appProtocol: http) if it carries HTTP`);
  }
}

function httpRule(target: TargetPolicy, match: CompiledMatch, principals: string[], ports: number[] | undefined, report: Report): AuthorizationRule | undefined {
  const paths = istioPaths(match);
  const where = `${provenanceLabel(target.ref)} match ${match.group.name}/${match.name}`;
  if (paths.kind === 'inexpressible') {
    report(target.ref, 'error', 'ISTIO_PATH_INEXPRESSIBLE', `${where}: Istio authorization paths are exact, prefix or suffix, not regex; ${paths.why}. The match is left out, so it allows nothing on Istio (narrower than SMI)`);
    return undefined;
  }
  const when: Condition[] = [];
  for (const h of match.headers) {
    const values = istioHeaderValues(h.regex);
    if (typeof values === 'string') {
      report(target.ref, 'error', 'ISTIO_HEADER_INEXPRESSIBLE', `${where}: Istio header conditions are exact, prefix, suffix or presence, not regex; ${values}. The match is left out (narrower than SMI)`);
      return undefined;
    }
    when.push({ key: `request.headers[${h.name}]`, values: values.values });
  }
  return {
    from: [{ source: { principals } }],
    // paths ["*"] keeps the rule HTTP-only: without an HTTP field Istio would also let raw TCP through.
    to: [{ operation: { ...(match.methods ? { methods: [...match.methods] } : {}), paths: paths.kind === 'any' ? ['*'] : paths.paths, ...(ports ? { ports: ports.map(String) } : {}) } }],
    ...(when.length > 0 ? { when } : {}),
  };
}

/** Istio evaluates a policy with this annotation and records the result (logs, metrics) without enforcing it. */
export const DRY_RUN_ANNOTATION = 'istio.io/dry-run';

export function translateAuthorization(model: PolicyModel, options: TranslateOptions, report: Report, mesh = 'istio'): MeshResource[] {
  const policies = authorizationPolicies(model, options, report, mesh);
  if (options.enforcement !== 'audit' || policies.length === 0) return policies;
  report(undefined, 'warning', 'ISTIO_AUDIT_NOT_ENFORCED',
    `audit mode: every AuthorizationPolicy carries ${DRY_RUN_ANNOTATION}: "true", so Istio enforces none of them and records what each would decide (shadow effective policy in the proxy's access log and RBAC statistics); SMI's denials are reported, not enforced`);
  // The policies only: a waypoint, or the namespace label that routes through it, has nothing to dry-run.
  return policies.map((p) => (p.kind !== 'AuthorizationPolicy' ? p : { ...p, metadata: { ...p.metadata, annotations: { ...p.metadata.annotations, [DRY_RUN_ANNOTATION]: 'true' } } }));
}

function authorizationPolicies(model: PolicyModel, options: TranslateOptions, report: Report, mesh: string): MeshResource[] {
  const out: MeshResource[] = [];
  if (model.mode === 'permissive') return out;
  const namespaces = new Set<string>();

  const lockDown = [...model.lockedDown].filter((k) => !model.destinations.has(k));
  const destinations = [...model.destinations.values()].map((d) => ({ identity: d.identity, targets: d.targets }));
  for (const key of lockDown) {
    const [namespace = '', name = ''] = key.split('/');
    destinations.push({ identity: { namespace, name }, targets: [] });
  }

  const root = options.istioRootNamespace ?? DEFAULT_ISTIO_ROOT_NAMESPACE;
  // Ambient: the namespaces whose destinations have route-level grants get a waypoint.
  const waypoint = waypointOf(options);
  const enrolled = waypointNamespaces(model, options);
  const atWaypoint = new Map<string, WaypointGrants>();
  for (const { identity, targets } of destinations.sort((a, b) => identityKey(a.identity).localeCompare(identityKey(b.identity)))) {
    if (identity.namespace === root) {
      // A selector in the root namespace matches workloads of every namespace: no policy of smi's may live there.
      if (targets.length === 0) {
        report(undefined, 'warning', 'ISTIO_ROOT_NAMESPACE_NOT_ENFORCED', `${identityKey(identity)} runs in ${root}, Istio's root namespace: smi writes no deny-by-default there (it would stop the whole mesh), so strict mode is not enforced on it`);
      } else {
        report(targets[0]?.ref, 'error', 'ISTIO_ROOT_NAMESPACE_NOT_ENFORCED',
          `${identityKey(identity)} runs in ${root}, Istio's root namespace, where an AuthorizationPolicy's selector matches workloads of every namespace (an ALLOW there would let its sources into any pod anywhere with the same labels, a deny-by-default would stop the whole mesh). smi writes no policy for it, so SMI's rules and deny-by-default are not enforced on it: Istio's decision rests on the cluster's own mesh-wide policies. Run it in another namespace, or pass --istio-root-namespace if the mesh's root namespace is not ${root}`);
      }
      continue;
    }
    namespaces.add(identity.namespace);
    const plan = planSelectors(model.inventory, identity);
    if (plan.selectors.length === 0 && plan.unisolated.length === 0) {
      report(targets[0]?.ref, 'info', 'ISTIO_NO_WORKLOADS', `no workload in the input runs as ${identityKey(identity)}; no AuthorizationPolicy is needed for it`);
      continue;
    }
    const rules: AuthorizationRule[] = [];
    // Through the waypoint: the rules it enforces for this identity's Services, and the pod ports it may then reach.
    const viaWaypoint = enrolled.has(identity.namespace);
    const waypointRules: AuthorizationRule[] = [];
    let waypointReach: Set<number> | 'all' | undefined;
    const reach = (ports: readonly number[] | undefined) => {
      if (ports === undefined || waypointReach === 'all') waypointReach = 'all';
      else waypointReach = new Set([...(waypointReach ?? []), ...ports]);
    };
    for (const target of targets) {
      const principals = target.sources.map((s) => principal(options.trustDomain, s.namespace, s.name));
      for (const u of target.unresolved) report(target.ref, 'warning', 'SMI_RULE_UNRESOLVED', `${provenanceLabel(target.ref)}: ${u}; nothing is emitted for it`);
      if (target.hasHttpRules && isAmbient(options) && !viaWaypoint) {
        // ztunnel sees connections, not requests: an L4 rule would let raw TCP through too, which the grant does not.
        if (routeLevel(target)) {
          const taken = waypoint && waypointIdentityTaken(model, identity.namespace, waypoint.name);
          const why = taken ? `and there is no waypoint in ${identity.namespace}: ${taken}, so ztunnel could not tell the waypoint from it (rename that ServiceAccount, or name another waypoint with --istio-waypoint)` : 'which --istio-waypoint none keeps smi from writing (drop it)';
          report(target.ref, 'error', 'ISTIO_AMBIENT_NEEDS_WAYPOINT',
            `${provenanceLabel(target.ref)} grants ${target.sources.map(identityKey).join(', ')} HTTP requests to ${identityKey(identity)}; in ambient mode ztunnel enforces L4 only (a rule there would admit raw TCP too), and route-level rules need a waypoint proxy, ${why}: the grant is left out (narrower). Grant the ports with a TCPRoute if any connection may pass, or run the destination with a sidecar`);
        }
        continue;
      }
      if (target.hasHttpRules && viaWaypoint) {
        // Enforced at the waypoint only (never at ztunnel, where HTTP fields cannot match).
        const ports = sortedPorts(grantedPorts(target));
        if (ports?.length === 0 || target.sources.length === 0) continue;
        reportOpaquePorts(model, identity, target, ports, report);
        for (const m of target.httpMatches) {
          const rule = httpRule(target, m, principals, ports, report);
          if (rule) waypointRules.push(rule);
        }
        reach(ports);
        continue;
      }
      if (target.hasHttpRules) {
        const ports = sortedPorts(grantedPorts(target));
        if (ports?.length === 0) continue;
        reportOpaquePorts(model, identity, target, ports, report);
        for (const m of target.httpMatches) {
          const rule = httpRule(target, m, principals, ports, report);
          if (rule) rules.push(rule);
        }
      } else if (target.tcpPorts !== undefined) {
        const ports = sortedPorts(grantedPorts(target));
        if (ports?.length === 0) continue;
        const rule = { from: [{ source: { principals } }], ...(ports ? { to: [{ operation: { ports: ports.map(String) } }] } : {}) };
        rules.push(rule);
        // Addressed to a Service, the same connection passes the waypoint first: it must let it through there too.
        if (viaWaypoint && target.sources.length > 0) {
          waypointRules.push(rule);
          reach(ports);
        }
      }
    }
    const sources = targets.map((t) => t.ref);
    if (viaWaypoint && waypoint) {
      atWaypoint.set(identityKey(identity), { rules: waypointRules, refs: sources, routeLevel: targets.some(routeLevel) });
      // ztunnel sees the waypoint's identity on what the waypoint forwards: admitted on the ports it may reach.
      if (waypointReach !== undefined) {
        const ports = waypointReach === 'all' ? undefined : [...waypointReach].sort((a, b) => a - b);
        rules.push({ from: [{ source: { principals: [principal(options.trustDomain, identity.namespace, waypoint.name)] } }], ...(ports ? { to: [{ operation: { ports: ports.map(String) } }] } : {}) });
      }
    }
    const base = resourceName('smi', identity.name);
    if (plan.unisolated.length > 0) {
      // The allow-nothing selectors also catch the other ServiceAccounts' pods: name them all.
      const caught = new Set<string>();
      for (const w of plan.unisolated) {
        for (const o of model.inventory.workloads) {
          if (o.namespace === w.namespace && o.serviceAccount !== identity.name && catches(w.labels, o)) caught.add(`${o.namespace}/${o.serviceAccount}`);
        }
      }
      report(targets[0]?.ref, 'error', 'ISTIO_SELECTOR_AMBIGUOUS',
        `Istio selects pods by labels, and these workloads of ${identityKey(identity)} share their labels with workloads of other ServiceAccounts: ${plan.conflicts.join('; ')}. ` +
          `They get an allow-nothing policy instead of their rules (narrower than SMI), which also locks down the workloads of ${[...caught].sort().join(', ')}. Give them distinguishing labels`);
      plan.unisolated.forEach((w, i) => {
        out.push({ apiVersion: AUTHZ_API, kind: 'AuthorizationPolicy', metadata: meta(mesh, derivedName(base, `locked-${i}`), identity.namespace, sources), spec: { selector: { matchLabels: { ...w.labels } }, action: 'ALLOW' } });
      });
    }
    plan.selectors.forEach((selector, i) => {
      out.push({
        apiVersion: AUTHZ_API, kind: 'AuthorizationPolicy',
        metadata: meta(mesh, plan.selectors.length > 1 ? derivedName(base, String(i)) : base, identity.namespace, sources),
        // No rules: the workloads are locked down and nothing is allowed (an ALLOW policy that never matches).
        spec: { selector: { matchLabels: selector }, action: 'ALLOW', ...(rules.length > 0 ? { rules } : {}) },
      });
    });
  }

  if (waypoint && enrolled.size > 0) out.push(...waypointResources(model, report, waypoint, enrolled, atWaypoint, mesh));
  if (isAmbient(options)) {
    // Pods ztunnel does not capture: nothing of this is enforced on them. Said per namespace, naming them.
    const outside = model.inventory.workloads.filter((w) => inScope(model, w.namespace) && w.namespace !== root && !enrolledInAmbient(model.inventory, w));
    for (const [ns, list] of [...groupBy(outside, (w) => w.namespace)].sort(([a], [b]) => a.localeCompare(b))) {
      report(undefined, 'warning', 'ISTIO_AMBIENT_NOT_ENFORCED',
        `namespace ${ns}: ${list.map((w) => `${w.kind}/${w.name} (${w.namespace}/${w.serviceAccount})`).join(', ')} not enrolled in ambient (label the namespace ${DATAPLANE_MODE_LABEL}=ambient, or the pods; ${DATAPLANE_MODE_LABEL}=none opts a pod out): ztunnel does not capture their traffic, so nothing smi writes is enforced on them`);
    }
  }
  if (model.mode === 'strict' || destinations.length > 0) {
    report(undefined, 'warning', 'ISTIO_UDP_NOT_ENFORCED',
      `Istio's ${isAmbient(options) ? 'ztunnel carries' : 'sidecars intercept'} TCP only: UDP traffic is neither allowed nor denied by the mesh, so UDPRoute rules and deny-by-default do not apply to UDP (add --fence networkpolicy: Kubernetes NetworkPolicies then decide UDP)`);
  }
  if (model.mode === 'strict') {
    for (const w of model.inventory.workloads) if (inScope(model, w.namespace)) namespaces.add(w.namespace);
    namespaces.delete(root); // an allow-nothing policy there would deny everything mesh-wide
    for (const ns of [...namespaces].sort()) {
      // An empty spec is Istio's "allow nothing": every workload of the namespace denies what no ALLOW policy allows.
      out.push({ apiVersion: AUTHZ_API, kind: 'AuthorizationPolicy', metadata: meta(mesh, 'smi--deny-by-default', ns, []), spec: {} });
    }
  }
  return out;
}
