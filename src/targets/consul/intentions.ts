/**
 * TrafficTargets → Consul ServiceIntentions, one per destination service.
 *
 * Consul picks, for a caller, the single matching source of highest precedence (exact names over
 * "*", exact destination over "*"); its action decides, or else its permissions in order, and a
 * request no permission fits falls to the default. So each destination lists its allowed sources
 * (L4 allow, or L7 allow permissions closed by a catch-all deny), then "*" deny; strict mode adds a
 * "*" → "*" deny for destinations without TrafficTargets. Nothing is left to the ACL default.
 * Consul docs: "Service intentions configuration entry reference", "Intention precedence".
 */
import { identityKey, inScope, provenanceLabel, type Identity, type PolicyModel, type Provenance, type TargetPolicy, type Workload } from '../../policy/model.js';
import type { Report } from '../diagnostics.js';
import { grantedPorts } from '../granted-ports.js';
import { meta, resourceName } from '../naming.js';
import type { MeshResource, TranslateOptions } from '../target.js';
import { ANY_HTTP, consulMatch } from './http-match.js';
import { consulKey, consulName, mirrored, servicePort, type ConsulName, type NameFacts } from './names.js';
import { selects, workloadsOf } from '../../policy/inventory.js';
import { groupBy } from '../../group-by.js';
import type { HttpServices } from './protocols.js';
import { CONSUL_API, type ConsulHttpMatch, type IntentionSource, type ServiceIntentionsSpec } from './types.js';

/**
 * A grant limited to some ports is exact when the mesh delivers to every workload of the
 * destination on one of them only (its service port): other ports are unreachable anyway.
 */
function portsExpressible(ports: ReadonlySet<number>, workloads: readonly Workload[]): boolean {
  return workloads.length > 0 && workloads.every((w) => { const p = servicePort(w); return p !== undefined && ports.has(p); });
}

interface SourceGrant {
  readonly name: ConsulName;
  /** L4 allow: every request on every port. */
  all: boolean;
  readonly matches: Map<string, ConsulHttpMatch>;
}

const DENY_BY_DEFAULT = 'smi--deny-by-default';

function wildcardSource(options: TranslateOptions): IntentionSource {
  return { name: '*', ...(mirrored(options) ? { namespace: '*' } : {}), action: 'deny' };
}

function sourceEntry(g: SourceGrant): IntentionSource {
  const base = { name: g.name.name, ...(g.name.namespace !== undefined ? { namespace: g.name.namespace } : {}) };
  if (g.all) return { ...base, action: 'allow' };
  const allows = [...g.matches].sort(([a], [b]) => a.localeCompare(b)).map(([, http]) => ({ action: 'allow' as const, http }));
  // A request no permission fits would fall to Consul's default: close the list explicitly.
  return { ...base, permissions: [...allows, { action: 'deny', http: { ...ANY_HTTP } }] };
}

function grantsOf(target: TargetPolicy, destination: string, workloads: readonly Workload[], ambiguous: (key: string) => string[] | undefined, options: TranslateOptions, report: Report): SourceGrant[] {
  const label = provenanceLabel(target.ref);
  for (const u of target.unresolved) report(target.ref, 'warning', 'SMI_RULE_UNRESOLVED', `${label}: ${u}; nothing is emitted for it`);
  const ports = grantedPorts(target);
  if (ports !== undefined && !portsExpressible(ports, workloads)) {
    if (ports.size > 0 && (target.hasHttpRules || target.tcpPorts !== undefined)) {
      report(target.ref, 'error', 'CONSUL_PORTS_INEXPRESSIBLE',
        `${label} grants access to ${destination} on port(s) ${[...ports].sort((a, b) => a - b).join(', ')} only; Consul intentions apply to a whole service, and the service port of ${destination}'s workloads ` +
          `(their first TCP container port) is not always among them, so the grant is left out (narrower than SMI)`);
    }
    return [];
  }
  const out: SourceGrant[] = [];
  for (const source of target.sources) {
    const name = consulName(source.namespace, source.name, options);
    const shared = ambiguous(consulKey(name));
    if (shared) {
      report(target.ref, 'error', 'CONSUL_IDENTITY_AMBIGUOUS',
        `${label}: source ${identityKey(source)} is Consul service "${source.name}", a name that also stands for ${shared.filter((x) => x !== identityKey(source)).join(' and ')}; granting it would grant them too, so access from it to ${destination} is left out (narrower). ${AMBIGUITY_FIX}`);
      continue;
    }
    if (target.hasHttpRules) {
      const matches = new Map(target.httpMatches.map((m) => { const c = consulMatch(m); return [JSON.stringify(c), c] as const; }));
      if (matches.size > 0) out.push({ name, all: false, matches });
    } else if (target.tcpPorts !== undefined) {
      out.push({ name, all: true, matches: new Map() });
    }
  }
  return out;
}

const AMBIGUITY_FIX = 'Use distinct ServiceAccount names (or --consul-namespaces mirror), and name each Service after the ServiceAccount of the pods it selects';

/**
 * Without ACLs consul-k8s registers a pod under the name of each Service selecting it, whatever its
 * ServiceAccount: a Service named "x" over pods of ServiceAccount "y" makes those pods Consul service
 * "x". Such a name must not be granted or given intentions, or "y" would get what SMI gives "x".
 */
export function impostors(model: PolicyModel, options: TranslateOptions, report: Report): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const byNamespace = groupBy(model.inventory.workloads, (w) => w.namespace);
  for (const s of model.inventory.services.values()) {
    const others = [...new Set((byNamespace.get(s.namespace) ?? []).filter((w) => w.serviceAccount !== s.name && selects(s.selector, w.labels)).map((w) => `${w.namespace}/${w.serviceAccount}`))].sort();
    if (others.length === 0) continue;
    const key = consulKey(consulName(s.namespace, s.name, options));
    out.set(key, [...(out.get(key) ?? []), `Service ${s.namespace}/${s.name}`, ...others]);
    report(undefined, 'warning', 'CONSUL_SERVICE_ACCOUNT_MISMATCH',
      `Service ${s.namespace}/${s.name} selects pods running as ${others.join(', ')}: with ACLs consul-k8s refuses to register them as "${s.name}"; without, they become Consul service "${s.name}". smi grants nothing to or from that name`);
  }
  return out;
}

/** One word for the whole cluster: the mesh reaches each workload on its service port only. */
export function reportServicePorts(model: PolicyModel, report: Report): void {
  const byIdentity = new Map<string, Set<number>>();
  for (const w of model.inventory.workloads) {
    const port = servicePort(w);
    if (port === undefined) continue;
    const key = `${w.namespace}/${w.serviceAccount}`;
    byIdentity.set(key, (byIdentity.get(key) ?? new Set()).add(port));
  }
  if (byIdentity.size === 0) return;
  const list = [...byIdentity].sort(([a], [b]) => a.localeCompare(b)).map(([key, ports]) => `${key} (${[...ports].sort((a, b) => a - b).join(', ')})`);
  report(undefined, 'warning', 'CONSUL_SERVICE_PORT_ONLY',
    `Consul registers each workload on one port, its first TCP container port, and delivers mesh traffic there only: traffic SMI allows to other ports is not delivered to the workloads of ${list.join(', ')}`);
}

/** The destinations that get intentions: those TrafficTargets name or lock down, and in strict mode every workload in scope. */
export function intentionDestinations(model: PolicyModel, options: TranslateOptions): { identity: Identity; targets: readonly TargetPolicy[] }[] {
  if (model.mode === 'permissive') return [];
  const destinations: { identity: Identity; targets: readonly TargetPolicy[] }[] = [...model.destinations.values()].map((d) => ({ identity: d.identity, targets: d.targets }));
  const listed = new Set(model.destinations.keys());
  const lock = (key: string) => {
    if (listed.has(key)) return;
    listed.add(key);
    const [namespace = '', name = ''] = key.split('/');
    destinations.push({ identity: { namespace, name }, targets: [] });
  };
  for (const key of model.lockedDown) lock(key);
  // Strict mode: every workload in scope denies what no intention allows. Not with a "*" destination in
  // one Consul namespace (that would reach services outside smi's scope), but one deny-all per service.
  if (model.mode === 'strict' && !mirrored(options)) for (const w of model.inventory.workloads) if (inScope(model, w.namespace)) lock(`${w.namespace}/${w.serviceAccount}`);
  return destinations.sort((a, b) => identityKey(a.identity).localeCompare(identityKey(b.identity)));
}

/** Identities whose Consul names decide ambiguity: those the model mentions, runs as or locks down. */
export function knownIdentities(model: PolicyModel): Set<string> {
  const identities = new Set(model.identities.map(identityKey));
  for (const w of model.inventory.workloads) identities.add(`${w.namespace}/${w.serviceAccount}`);
  for (const key of model.lockedDown) identities.add(key);
  return identities;
}

/** Cluster-wide warnings of the intentions, reported once. */
export function intentionNotes(model: PolicyModel, report: Report): void {
  if (model.mode !== 'strict') {
    report(undefined, 'warning', 'CONSUL_PLAINTEXT_REFUSED',
      "Consul's sidecars accept only mutual TLS from mesh services: callers outside the mesh (unauthenticated) are refused by every meshed workload, where SMI's permissive and per-destination modes allow them");
  }
  reportServicePorts(model, report);
  if (model.mode === 'strict' || (model.mode === 'per-destination' && (model.destinations.size > 0 || model.lockedDown.size > 0))) {
    report(undefined, 'warning', 'CONSUL_UDP_NOT_ENFORCED', "Consul's sidecars carry TCP only: UDP is neither allowed nor denied by the mesh, so UDPRoute rules and deny-by-default do not apply to UDP (add --fence networkpolicy: Kubernetes NetworkPolicies then decide UDP)");
  }
}

const earliest = (keys: ReadonlySet<string>): string | undefined => {
  let first: string | undefined;
  for (const k of keys) if (first === undefined || k.localeCompare(first) < 0) first = k;
  return first;
};

/** The intentions of one namespace's slice of the model; what a Consul name stands for elsewhere comes through `facts`. */
export function translateIntentions(model: PolicyModel, options: TranslateOptions, facts: NameFacts, http: HttpServices, report: Report): MeshResource[] {
  const out: MeshResource[] = [];
  if (model.mode === 'permissive') return out;
  impostors(model, options, report);
  const ambiguous = (key: string): string[] | undefined => {
    const ids = facts.identities(key);
    const who = new Set([...(ids.size > 1 ? ids : []), ...facts.impostors(key)]);
    return who.size > 0 ? [...who].sort() : undefined;
  };
  const destinations = intentionDestinations(model, options);
  for (const { identity, targets } of destinations) {
    const destination = identityKey(identity);
    const name = consulName(identity.namespace, identity.name, options);
    const refs: Provenance[] = targets.map((t) => t.ref);
    const shared = ambiguous(consulKey(name));
    const grants = new Map<string, SourceGrant>();
    // Several destinations under one name (it is shared): the first, across the cluster, writes for it.
    const first = earliest(facts.destinations(consulKey(name))) === destination;
    const beyond = [...facts.outside(consulKey(name))].sort();
    if (beyond.length > 0) {
      if (!first) continue;
      report(refs[0], 'error', 'CONSUL_SCOPE_NOT_ENFORCED',
        `Consul service "${name.name}" of ${destination} is also the Consul service of ${beyond.join(', ')}, outside smi's scope: an intention for the name would reach those workloads too, so smi writes none and SMI's rules for ${destination} are not enforced by Consul. ${AMBIGUITY_FIX}`);
      continue;
    }
    if (shared) {
      report(refs[0], 'error', 'CONSUL_IDENTITY_AMBIGUOUS',
        `Consul service "${identity.name}" stands for ${shared.join(' and ')}; intentions for it would apply to all of them, so it allows nothing (narrower than SMI for ${shared.filter((x) => !x.startsWith('Service ')).join(', ')}). ${AMBIGUITY_FIX}`);
    } else {
      for (const target of targets) {
        for (const g of grantsOf(target, destination, workloadsOf(model.inventory, identity.namespace, identity.name), ambiguous, options, report)) {
          const key = consulKey(g.name);
          const seen = grants.get(key);
          if (!seen) grants.set(key, g);
          else {
            seen.all ||= g.all;
            for (const [k, m] of g.matches) seen.matches.set(k, m);
          }
        }
      }
    }
    if (!first) continue; // the ambiguous name's deny-all is written by the first
    const sources = [...grants.values()].sort((a, b) => consulKey(a.name).localeCompare(consulKey(b.name)));
    const l7 = sources.filter((g) => !g.all);
    if (l7.length > 0) {
      http.require(name, identity.namespace, `the L7 intentions for ${destination}`, targets[0]!.ref);
      const l4 = sources.filter((g) => g.all).map((g) => g.name.name);
      if (l4.length > 0) {
        report(targets[0]?.ref, 'warning', 'CONSUL_TCP_ON_HTTP_SERVICE',
          `${destination} needs protocol http for its route-level intentions, so the TCP grants to ${l4.join(', ')} carry HTTP only: their raw TCP to ${destination} is refused (narrower)`);
      }
    }
    const spec: ServiceIntentionsSpec = {
      destination: { name: name.name, ...(name.namespace !== undefined ? { namespace: name.namespace } : {}) },
      sources: [...sources.map(sourceEntry), wildcardSource(options)],
    };
    out.push({ apiVersion: CONSUL_API, kind: 'ServiceIntentions', metadata: meta('consul', resourceName('smi', identity.name), identity.namespace, refs), spec });
  }

  if (model.mode === 'strict' && mirrored(options)) {
    // Lowest precedence: any source to any destination of a namespace in scope without its own intentions is denied.
    const namespaces = [...new Set([...model.inventory.workloads.map((w) => w.namespace), ...destinations.map((d) => d.identity.namespace)])].filter((ns) => inScope(model, ns)).sort();
    for (const ns of namespaces) {
      const spec: ServiceIntentionsSpec = { destination: { name: '*', ...(mirrored(options) ? { namespace: ns } : {}) }, sources: [wildcardSource(options)] };
      out.push({ apiVersion: CONSUL_API, kind: 'ServiceIntentions', metadata: meta('consul', DENY_BY_DEFAULT, ns, []), spec });
    }
  }
  return out;
}
