/**
 * TrafficTargets → Linkerd policy (Linkerd docs, "Authorization Policy" reference):
 * - a Server per destination workload group and container port (podSelector from the workloads that
 *   run as the ServiceAccount; accessPolicy deny: what nothing authorizes is refused);
 * - per distinct HTTP match allowed on that port, a policy.linkerd.io HTTPRoute with the Server as
 *   parent, and an AuthorizationPolicy on the route requiring a MeshTLSAuthentication of the sources;
 * - TCPRoute-only grants as an AuthorizationPolicy on the Server (it applies to all its traffic).
 * Linkerd picks one route per request (Gateway API precedence), so a route's sources also include
 * those of every match that provably covers it; where overlapping routes still differ, a request may
 * be judged by the narrower one: never more access, and a diagnostic says where.
 */
import { workloadsOf } from '../../policy/inventory.js';
import { identityKey, inScope, provenanceLabel, type CompiledMatch, type Identity, type PolicyModel, type Provenance, type TargetPolicy, type Workload } from '../../policy/model.js';
import { catches, planSelectors } from '../selectors.js';
import { grantedPorts, portGranted } from '../granted-ports.js';
import { chunk } from '../chunk.js';
import { derivedName, meta, resourceName } from '../naming.js';
import { covers, mayOverlap } from '../match-relations.js';
import { CATCH_ALL, gatewayMatches, matchKey } from '../gateway/matches.js';
import { repeatedHeaderNames, repeatedHeadersReason } from '../header-conditions.js';
import type { HTTPRouteMatch } from '../gateway/types.js';
import type { Report } from '../diagnostics.js';
import type { MeshResource, TranslateOptions } from '../target.js';
import { AUTHZ_API, DEFAULT_INBOUND_POLICY_ANNOTATION, POLICY_GROUP, POLICY_ROUTE_API, SERVER_API, meshIdentity, type AuthorizationPolicySpec, type MeshTLSAuthenticationSpec, type ServerSpec } from './types.js';
import { clusterOpaque, OPAQUE_APP_PROTOCOL, opaquePorts } from './opaque-ports.js';


interface RouteGroup {
  readonly key: string;
  readonly match: CompiledMatch;
  readonly gateway: HTTPRouteMatch[];
  readonly own: Set<string>;
  readonly sources: Set<string>;
  readonly refs: Provenance[];
}

/** Every identity whose workloads need a Server in this mode, with the targets that grant access to it. */
function coveredIdentities(model: PolicyModel): { identity: Identity; targets: readonly TargetPolicy[] }[] {
  const out = new Map<string, { identity: Identity; targets: readonly TargetPolicy[] }>();
  for (const d of model.destinations.values()) out.set(identityKey(d.identity), { identity: d.identity, targets: d.targets });
  const add = (namespace: string, name: string) => {
    const key = `${namespace}/${name}`;
    if (!out.has(key)) out.set(key, { identity: { namespace, name }, targets: [] });
  };
  for (const key of model.lockedDown) {
    const [namespace = '', name = ''] = key.split('/');
    add(namespace, name);
  }
  if (model.mode === 'strict') for (const w of model.inventory.workloads) if (inScope(model, w.namespace)) add(w.namespace, w.serviceAccount);
  return [...out.values()].sort((a, b) => identityKey(a.identity).localeCompare(identityKey(b.identity)));
}

function tcpPorts(workloads: readonly Workload[]): number[] {
  return [...new Set(workloads.flatMap((w) => w.ports.filter((p) => (p.protocol ?? 'TCP').toUpperCase() === 'TCP').map((p) => p.port)))].sort((a, b) => a - b);
}

export function translateLinkerdAuthorization(model: PolicyModel, options: TranslateOptions, report: Report, mesh = 'linkerd'): MeshResource[] {
  const out: MeshResource[] = [];
  if (model.mode === 'permissive') return out;
  const identityOf = (s: Identity) => meshIdentity(options.trustDomain, s.namespace, s.name);
  const namespaces = new Set<string>();
  const serversWithRoutes: string[] = [];
  const audit = options.enforcement === 'audit';

  const authorize = (namespace: string, name: string, target: { kind: string; name: string }, identities: Iterable<string>, refs: readonly Provenance[]) => {
    const authn: MeshTLSAuthenticationSpec = { identities: [...new Set(identities)].sort() };
    out.push({ apiVersion: AUTHZ_API, kind: 'MeshTLSAuthentication', metadata: meta(mesh, name, namespace, refs), spec: authn });
    const policy: AuthorizationPolicySpec = {
      targetRef: { group: POLICY_GROUP, kind: target.kind, name: target.name },
      requiredAuthenticationRefs: [{ group: POLICY_GROUP, kind: 'MeshTLSAuthentication', name }],
    };
    out.push({ apiVersion: AUTHZ_API, kind: 'AuthorizationPolicy', metadata: meta(mesh, name, namespace, refs), spec: policy });
  };

  const covered = coveredIdentities(model);
  for (const { identity, targets } of covered) {
    namespaces.add(identity.namespace);
    const label = identityKey(identity);
    for (const t of targets) for (const u of t.unresolved) report(t.ref, 'warning', 'SMI_RULE_UNRESOLVED', `${provenanceLabel(t.ref)}: ${u}; nothing is emitted for it`);
    const plan = planSelectors(model.inventory, identity);
    if (plan.selectors.length === 0 && plan.unisolated.length === 0) {
      if (targets.length > 0) report(targets[0]?.ref, 'info', 'LINKERD_NO_WORKLOADS', `no workload in the input runs as ${label}; no Server is needed for it`);
      continue;
    }
    if (plan.unisolated.length > 0) {
      report(targets[0]?.ref, 'error', 'LINKERD_SELECTOR_AMBIGUOUS',
        `Linkerd Servers select pods by labels and must not overlap, and these workloads of ${label} share their labels with workloads of other ServiceAccounts: ${plan.conflicts.join('; ')}. ` +
          "They get no Server, so Linkerd's default inbound policy decides for them instead of SMI (with default-inbound-policy deny: nothing is allowed). Give them distinguishing labels");
    }
    const own = workloadsOf(model.inventory, identity.namespace, identity.name);
    const refs = targets.map((t) => t.ref);
    plan.selectors.forEach((selector, si) => {
      const caught = own.filter((w) => catches(selector, w));
      const opaque = opaquePorts(caught, model.inventory, options);
      for (const port of tcpPorts(caught)) {
        const server = derivedName(resourceName('smi', identity.name), plan.selectors.length > 1 ? `s${si}-p${port}` : `p${port}`);
        // audit: what no policy authorizes is let through and reported (Linkerd's audit access policy).
        const spec: ServerSpec = { podSelector: { matchLabels: selector }, port, proxyProtocol: 'unknown', accessPolicy: audit ? 'audit' : 'deny' };
        out.push({ apiVersion: SERVER_API, kind: 'Server', metadata: meta(mesh, server, identity.namespace, refs), spec });

        // L4 grants: the Server itself, so every connection and request on the port.
        const l4 = targets.filter((t) => !t.hasHttpRules && t.tcpPorts !== undefined && portGranted(grantedPorts(t), port));
        if (l4.length > 0) authorize(identity.namespace, server, { kind: 'Server', name: server }, l4.flatMap((t) => t.sources.map(identityOf)), l4.map((t) => t.ref));

        // HTTP grants: one route per distinct match.
        const groups = new Map<string, RouteGroup>();
        if (opaque.has(port)) {
          // Route-level grants cannot match traffic Linkerd carries as opaque TCP (opaque-ports.ts).
          for (const t of targets.filter((x) => x.hasHttpRules && x.httpMatches.length > 0 && x.sources.length > 0 && portGranted(grantedPorts(x), port))) {
            report(t.ref, 'error', 'LINKERD_HTTP_ON_OPAQUE_PORT',
              `${provenanceLabel(t.ref)} grants ${t.sources.map(identityKey).join(', ')} HTTP routes on port ${port} of ${label}, which Linkerd treats as opaque (${clusterOpaque(port, options) ? `one of the cluster's opaque ports, proxy.opaquePorts${options.linkerdOpaquePorts === undefined ? ' (Linkerd\'s default list; pass --linkerd-opaque-ports if the cluster sets another)' : ''}` : `a Service port with appProtocol ${OPAQUE_APP_PROTOCOL}`}): ` +
              'requests there are carried as TCP and no HTTPRoute sees them, so the grant is lost on that port (narrower than SMI). Grant the port with a TCPRoute instead, or take the port out of the opaque list (proxy.opaquePorts, the config.linkerd.io/opaque-ports annotation, appProtocol)');
          }
        }
        for (const t of targets.filter((x) => x.hasHttpRules && portGranted(grantedPorts(x), port))) {
          for (const m of t.httpMatches) {
            if (repeatedHeaderNames(m).length > 0) {
              report(t.ref, 'error', 'LINKERD_MATCH_INEXPRESSIBLE', `${label} port ${port}: ${repeatedHeadersReason(m, "Linkerd's HTTPRoute (Gateway API matching)")}; the match is left out, so it allows nothing on Linkerd (narrower than SMI)`);
              continue;
            }
            const key = matchKey(m);
            let g = groups.get(key);
            if (!g) groups.set(key, (g = { key, match: m, gateway: gatewayMatches(m), own: new Set(), sources: new Set(), refs: [] }));
            for (const s of t.sources) g.own.add(identityOf(s));
            g.refs.push(t.ref);
          }
        }
        if (groups.size === 0) continue;
        const list = [...groups.values()];
        // A request is judged by one route only: give each route the sources of every match that covers it.
        for (const g of list) for (const h of list) if (covers(h.match, g.match)) for (const s of h.own) g.sources.add(s);
        for (let i = 0; i < list.length; i++) {
          for (let j = i + 1; j < list.length; j++) {
            const a = list[i]!;
            const b = list[j]!;
            const same = a.sources.size === b.sources.size && [...a.sources].every((s) => b.sources.has(s));
            if (!same && mayOverlap(a.match, b.match)) {
              report(a.refs[0], 'warning', 'LINKERD_ROUTE_OVERLAP',
                `${label} port ${port}: matches ${a.match.group.name}/${a.match.name} and ${b.match.group.name}/${b.match.name} may both fit a request but allow different sources; Linkerd judges a request by one route only (Gateway API precedence), so such a request is allowed only to the sources of the route it picks (narrower than SMI)`);
            }
          }
        }
        const hasCatchAll = list.some((g) => g.key === JSON.stringify([CATCH_ALL]));
        list.sort((a, b) => `${a.match.group.name}/${a.match.name}`.localeCompare(`${b.match.group.name}/${b.match.name}`) || a.key.localeCompare(b.key));
        const used = new Set<string>();
        for (const g of list) {
          let name = derivedName(server, resourceName(g.match.group.name, g.match.name));
          for (let n = 1; used.has(name); n++) name = derivedName(server, resourceName(g.match.group.name, g.match.name, String(n)));
          used.add(name);
          const rules = chunk(g.gateway, 64).map((matches) => ({ matches }));
          out.push({ apiVersion: POLICY_ROUTE_API, kind: 'HTTPRoute', metadata: meta(mesh, name, identity.namespace, g.refs), spec: { parentRefs: [{ group: POLICY_GROUP, kind: 'Server', name: server }], rules } });
          authorize(identity.namespace, name, { kind: 'HTTPRoute', name }, g.sources, g.refs);
        }
        // With routes attached, requests fitting none get 404: keep L4-granted sources' HTTP working, and
        // in audit mode everyone's (the catch-all route then falls to the audit access policy).
        if ((l4.length > 0 || audit) && !hasCatchAll) {
          out.push({ apiVersion: POLICY_ROUTE_API, kind: 'HTTPRoute', metadata: meta(mesh, derivedName(server, 'any'), identity.namespace, l4.map((t) => t.ref)), spec: { parentRefs: [{ group: POLICY_GROUP, kind: 'Server', name: server }], rules: [{ matches: [CATCH_ALL] }] } });
        }
        serversWithRoutes.push(`${identity.namespace}/${server}`);
      }
    });
  }

  // --linkerd-namespace-deny: the annotation on the namespaces of the destinations smi governs.
  // Strict mode only: there every workload in those namespaces is SMI's; in per-destination mode the
  // annotation would deny workloads no TrafficTarget names (an outage outside SMI).
  const annotated = options.linkerdNamespaceDeny && !audit && model.mode === 'strict' ? [...namespaces].filter((ns) => inScope(model, ns)).sort() : [];
  if (options.linkerdNamespaceDeny && model.mode === 'per-destination' && namespaces.size > 0) {
    report(undefined, 'warning', 'LINKERD_NAMESPACE_DENY_SKIPPED', `--linkerd-namespace-deny is not written in per-destination mode: the annotation covers whole namespaces and would deny workloads no TrafficTarget names; the cluster's default inbound policy decides ports no Server covers`);
  }
  for (const name of annotated) out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations: { [DEFAULT_INBOUND_POLICY_ANNOTATION]: 'deny' } } });
  if (annotated.length > 0) {
    report(undefined, 'info', 'LINKERD_NAMESPACE_DENY', `smi writes ${DEFAULT_INBOUND_POLICY_ANNOTATION}: deny on namespace(s) ${annotated.join(', ')} (that annotation alone, by server-side apply; proxies pick it up when their pods restart)`);
  }

  if (namespaces.size > 0) {
    const nsList = [...namespaces].sort().join(', ');
    // Annotated: every in-scope namespace with a destination now defaults to deny.
    const defaultPolicy = annotated.length > 0 ? 'deny' : options.linkerdDefaultPolicy;
    if (audit) {
      report(undefined, 'warning', 'LINKERD_AUDIT_NOT_ENFORCED',
        `audit mode: Servers use accessPolicy audit, so Linkerd lets through what no policy authorizes and reports it (authorization metrics and logs) instead of denying; SMI's denials are reported, not enforced. Ports no Server covers follow the default inbound policy (${defaultPolicy ?? 'unknown'}; audit it too with config.linkerd.io/default-inbound-policy: audit on ${nsList})`);
    } else if (defaultPolicy === 'deny') {
      if (model.mode !== 'strict') report(undefined, 'warning', 'LINKERD_DEFAULT_POLICY_DENY', `the default inbound policy is deny: in per-destination mode, workloads in ${nsList} that no TrafficTarget names are denied too (narrower than SMI), and so are ports no Server covers`);
      // Ports no Server covers are denied by the default: narrower than SMI wherever SMI grants them.
      for (const { identity, targets } of covered) {
        if (!targets.some((t) => t.sources.length > 0)) continue;
        const own = workloadsOf(model.inventory, identity.namespace, identity.name);
        if (own.length === 0) continue;
        report(targets[0]?.ref, 'warning', 'LINKERD_UNDECLARED_PORTS',
          `${identityKey(identity)}: Servers cover only the TCP ports its pods declare (${tcpPorts(own).join(', ') || 'none'}); traffic to other ports meets the default inbound policy deny, even where SMI grants it. Declare the ports in the pod spec`);
        // A grant no pod of the destination declares a port for is lost whole: an error, as on every
        // target. (Linkerd's Servers consider only ports a pod spec declares: no Server smi could write carries it.)
        for (const t of targets) {
          if (t.sources.length === 0 || (!t.hasHttpRules && t.tcpPorts === undefined) || (t.hasHttpRules && t.httpMatches.length === 0)) continue;
          const granted = grantedPorts(t);
          const lost = own.every((w) => {
            const declared = tcpPorts([w]);
            return granted === undefined ? declared.length === 0 : [...granted].every((p) => !declared.includes(p));
          });
          if (!lost) continue;
          const what = granted === undefined ? 'every port' : `port ${[...granted].sort((a, b) => a - b).join(', ')}`;
          report(t.ref, 'error', 'LINKERD_GRANT_LOST',
            `${provenanceLabel(t.ref)} grants ${t.sources.map(identityKey).join(', ')} ${what} of ${identityKey(identity)}, but no pod of it declares ${granted === undefined ? 'a TCP port' : 'such a port'}: Linkerd's Servers cover declared ports only, so the default inbound policy (deny) refuses all of it. Declare the containerPort${granted === undefined ? 's' : ` ${[...granted].sort((a, b) => a - b).join(', ')}`} in the pod spec`);
        }
      }
    } else {
      report(undefined, model.mode === 'strict' ? 'error' : 'warning', 'LINKERD_DEFAULT_POLICY_NOT_ENFORCED',
        `Servers cover the TCP container ports the input's pod specs declare; other ports, and workloads not in the input, follow Linkerd's default inbound policy (${defaultPolicy ?? 'all-unauthenticated unless configured'}). ` +
          (model.mode === 'strict' ? `For SMI's deny-by-default, pass --linkerd-namespace-deny: smi then writes config.linkerd.io/default-inbound-policy: deny on namespace(s) ${nsList} and nowhere else. (--linkerd-default-policy deny says the whole cluster already denies by default, which is true only if Linkerd was installed with proxy.defaultInboundPolicy=deny)` : 'In per-destination mode that is intended for workloads no TrafficTarget names'));
    }
    report(undefined, 'warning', 'LINKERD_UDP_NOT_ENFORCED', "Linkerd's proxy does not carry UDP: UDPRoute rules and UDP denials are not enforced (add --fence networkpolicy: Kubernetes NetworkPolicies then decide UDP)");
  }
  if (serversWithRoutes.length > 0) {
    report(undefined, 'warning', 'LINKERD_PROBES_NEED_AUTHORIZATION',
      `Linkerd stops authorizing kubelet probes on a Server once HTTPRoutes attach to it (${serversWithRoutes.slice(0, 5).join(', ')}${serversWithRoutes.length > 5 ? ', …' : ''}): liveness, readiness and startup probes on those ports are denied unless a policy allows them. ` +
        'For each such Server write, in its namespace: an HTTPRoute (policy.linkerd.io) with parentRefs [{group: policy.linkerd.io, kind: Server, name: <the Server>}] matching GET on your probe paths (e.g. /live, /ready); ' +
        'a NetworkAuthentication listing the nodes\' addresses (the kubelet probes from the node); and an AuthorizationPolicy targeting that HTTPRoute with requiredAuthenticationRefs to the NetworkAuthentication. ' +
        'smi does not write them: they let those addresses reach those paths, which SMI does not say');
  }
  return out;
}
