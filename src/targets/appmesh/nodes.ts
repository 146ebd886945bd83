/**
 * TrafficTargets → App Mesh workload VirtualNodes. App Mesh has no request-level authorization by
 * identity: a server listener validates the client certificate's subject alternative names (SPIFFE
 * IDs from SPIRE), per port; clients list the VirtualServices they may call as `backends`. So per
 * destination port the listener accepts the sources SMI grants everything there (a TCPRoute grant, or
 * an HTTP grant with a catch-all match, which then needs an http listener); route-level HTTP rules
 * cannot be expressed and are left out (narrower). App Mesh docs: "Mutual TLS authentication",
 * "Virtual nodes" (listeners, backends, backend defaults).
 */
import { identityKey, inScope, provenanceLabel, type CompiledMatch, type Identity, type PolicyModel, type TargetPolicy, type Workload } from '../../policy/model.js';
import { selects, servicesSelecting, type Inventory } from '../../policy/inventory.js';
import { regexForms } from '../../policy/regex-forms.js';
import type { Report } from '../diagnostics.js';
import { groupBy } from '../../group-by.js';
import { grantedPorts, portGranted } from '../granted-ports.js';
import { derivedName, meta, resourceName, serviceFqdn } from '../naming.js';
import { catches, planSelectors } from '../selectors.js';
import type { MeshResource, TranslateOptions } from '../target.js';
import { APPMESH_API, NOBODY, spiffeId, trustBundle, type BackendRef, type Listener, type ListenerProtocol, type VirtualNodeSpec } from './types.js';

const isCatchAll = (m: CompiledMatch): boolean => m.methods === undefined && m.headers.length === 0 && (m.pathRegex === undefined || regexForms(m.pathRegex).kind === 'any');

interface PortGrant {
  readonly protocol: ListenerProtocol;
  readonly sans: string[];
}

/** Who may connect to one port of a destination, as far as a certificate check can say. */
function portGrant(targets: readonly TargetPolicy[], port: number, options: TranslateOptions): { grant: PortGrant; tcpRefused: string[]; narrowed: TargetPolicy[] } {
  const full = new Set<string>();
  const http = new Set<string>();
  const narrowed: TargetPolicy[] = [];
  for (const t of targets) {
    if (!portGranted(grantedPorts(t), port)) continue;
    const ids = t.sources.map((s) => spiffeId(options.trustDomain, s.namespace, s.name));
    if (t.hasHttpRules) {
      if (t.httpMatches.some(isCatchAll)) ids.forEach((i) => http.add(i));
      else if (t.httpMatches.length > 0) narrowed.push(t);
    } else if (t.tcpPorts !== undefined) ids.forEach((i) => full.add(i));
  }
  const protocol: ListenerProtocol = http.size > 0 ? 'http' : 'tcp';
  const sans = [...new Set([...full, ...http])].sort();
  return { grant: { protocol, sans }, tcpRefused: protocol === 'http' ? [...full].sort() : [], narrowed };
}

function listener(port: number, protocol: ListenerProtocol, own: string, options: TranslateOptions, sans?: string[]): Listener {
  const certificate = { sds: { secretName: own } };
  if (sans === undefined) return { portMapping: { port, protocol }, tls: { mode: 'PERMISSIVE', certificate } };
  return {
    portMapping: { port, protocol },
    tls: { mode: 'STRICT', certificate, validation: { trust: { sds: { secretName: trustBundle(options.trustDomain) } }, subjectAlternativeNames: { match: { exact: sans.length > 0 ? sans : [NOBODY(options.trustDomain)] } } } },
  };
}

/**
 * The listener ports of a node: the TCP ports its pods declare, and the numeric target ports of the
 * Services in front of them (where the application surely listens, declared or not). Without a
 * listener a port bypasses the proxy; pods that declare no port would otherwise get none at all.
 */
function tcpPorts(workloads: readonly Workload[], inventory: Inventory): number[] {
  const ports = new Set(workloads.flatMap((w) => w.ports.filter((p) => p.protocol === 'TCP').map((p) => p.port)));
  for (const s of servicesSelecting(inventory, workloads)) {
    for (const p of s.ports) {
      if (p.protocol !== 'TCP') continue;
      if (p.targetPort === undefined) ports.add(p.port);
      else if (typeof p.targetPort === 'number') ports.add(p.targetPort);
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** What a namespace's nodes read of the others: the VirtualServices each identity may call, and where sources run. */
export interface Reach {
  /** The VirtualServices (namespace/name) an identity may call, through grants and splits of every namespace. */
  backends(identity: Identity): readonly string[];
  /** The identity has workloads in a namespace outside smi's scope (App Mesh needs the caller's side too). */
  runsOutsideScope(identity: Identity): boolean;
}

/** The Services in front of each identity's workloads (namespace/name lists, by identity key). */
export function servicesFronting(model: PolicyModel): Map<string, string[]> {
  const byNamespace = groupBy(model.inventory.workloads, (w) => w.namespace);
  const services = new Map<string, string[]>();
  for (const s of model.inventory.services.values()) {
    const fronted = new Set<string>();
    for (const w of byNamespace.get(s.namespace) ?? []) if (selects(s.selector, w.labels)) fronted.add(`${w.namespace}/${w.serviceAccount}`);
    for (const k of fronted) services.set(k, [...(services.get(k) ?? []), `${s.namespace}/${s.name}`]);
  }
  return services;
}

/** The workload VirtualNodes of one namespace's slice of the model; what it reads of others comes through `reach`. */
export function translateNodes(model: PolicyModel, options: TranslateOptions, reach: Reach, report: Report): MeshResource[] {
  const out: MeshResource[] = [];
  const identities = new Map<string, Identity>();
  // A VirtualNode makes its pods part of the mesh (their outbound traffic too): only workloads in scope get one.
  for (const w of model.inventory.workloads) if (inScope(model, w.namespace)) identities.set(`${w.namespace}/${w.serviceAccount}`, { namespace: w.namespace, name: w.serviceAccount });
  for (const d of model.destinations.values()) {
    for (const t of d.targets) {
      const outside = t.sources.filter((s) => reach.runsOutsideScope(s));
      if (outside.length === 0) continue;
      report(t.ref, 'warning', 'APPMESH_SOURCE_OUT_OF_SCOPE',
        `${provenanceLabel(t.ref)}: App Mesh authorizes the caller's side too (its VirtualNode's backends and client certificate), and ${outside.map(identityKey).join(', ')} run outside smi's scope, where smi writes nothing: they cannot reach ${identityKey(d.identity)} (narrower). Label their namespace ${'smi-spec.io/enforce'}=true to bring them in`);
    }
  }
  const locked = (key: string) => model.mode === 'strict' || (model.mode === 'per-destination' && model.lockedDown.has(key));
  const lockedGroups = new Map<string, { namespace: string; labels: Record<string, string>; owners: Set<string> }>();
  const workloadsByIdentity = groupBy(model.inventory.workloads, (w) => `${w.namespace}/${w.serviceAccount}`);
  const fronting = servicesFronting(model);

  for (const [key, identity] of [...identities].sort(([a], [b]) => a.localeCompare(b))) {
    const plan = planSelectors(model.inventory, identity);
    const targets = model.destinations.get(key)?.targets ?? [];
    const own = spiffeId(options.trustDomain, identity.namespace, identity.name);
    const backends: BackendRef[] = reach.backends(identity).map((vs) => {
      const [namespace = '', name = ''] = vs.split('/');
      return { virtualService: { virtualServiceRef: { name, namespace } } };
    });
    const isLocked = locked(key);
    const reportedNarrowing = new Set<TargetPolicy>();
    const refusedTcp = new Set<string>();
    const base = resourceName('smi', identity.name);
    plan.selectors.forEach((selector, i) => {
      const caught = (workloadsByIdentity.get(key) ?? []).filter((w) => catches(selector, w));
      const listeners = tcpPorts(caught, model.inventory).map((port) => {
        if (!isLocked) return listener(port, 'tcp', own, options);
        const { grant, tcpRefused, narrowed } = portGrant(targets, port, options);
        narrowed.forEach((t) => reportedNarrowing.add(t));
        tcpRefused.forEach((s) => refusedTcp.add(s));
        return listener(port, grant.protocol, own, options, grant.sans);
      });
      const services = servicesSelecting({ ...model.inventory, services: new Map((fronting.get(key) ?? []).map((s) => [s, model.inventory.services.get(s)!])) }, caught);
      const name = plan.selectors.length > 1 ? derivedName(base, String(i)) : base;
      const spec: VirtualNodeSpec = {
        podSelector: { matchLabels: selector },
        ...(listeners.length > 0 ? { listeners } : {}),
        // App Mesh wants discovery on a node with listeners; nothing routes to this one by it.
        serviceDiscovery: { dns: { hostname: services[0] ? serviceFqdn(services[0].name, services[0].namespace, options.clusterDomain) : serviceFqdn(name, identity.namespace, options.clusterDomain) } },
        ...(backends.length > 0 ? { backends } : {}),
        backendDefaults: { clientPolicy: { tls: { enforce: true, certificate: { sds: { secretName: own } }, validation: { trust: { sds: { secretName: trustBundle(options.trustDomain) } } } } } },
      };
      out.push({ apiVersion: APPMESH_API, kind: 'VirtualNode', metadata: meta('appmesh', name, identity.namespace, targets.map((t) => t.ref)), spec });
    });
    for (const t of reportedNarrowing) {
      report(t.ref, 'error', 'APPMESH_ROUTE_RULES_NARROWED',
        `${provenanceLabel(t.ref)}: App Mesh authorizes connections by client certificate, not requests by path, method or header, so the HTTP rules granting ${t.sources.map(identityKey).join(', ')} access to ${key} are left out (narrower than SMI)`);
    }
    if (refusedTcp.size > 0) {
      report(targets[0]?.ref, 'warning', 'APPMESH_TCP_ON_HTTP_LISTENER',
        `${key} is granted HTTP on ports where TCP grants exist too; its listeners there speak http, so raw TCP from ${[...refusedTcp].join(', ')} to ${key} is refused (narrower)`);
    }
    if (isLocked && plan.unisolated.length > 0) {
      for (const w of plan.unisolated) {
        const k = `${w.namespace}/${JSON.stringify(Object.entries(w.labels).sort())}`;
        const g = lockedGroups.get(k) ?? { namespace: w.namespace, labels: Object.fromEntries(Object.entries(w.labels).sort()), owners: new Set<string>() };
        g.owners.add(key);
        lockedGroups.set(k, g);
      }
    }
  }

  [...lockedGroups.values()].forEach((g, i) => {
    const caught = model.inventory.workloads.filter((w) => w.namespace === g.namespace && catches(g.labels, w));
    const who = [...new Set(caught.map((w) => `${w.namespace}/${w.serviceAccount}`))].sort();
    report(undefined, 'error', 'APPMESH_SELECTOR_AMBIGUOUS',
      `App Mesh selects pods by labels, and pods of ${[...g.owners].sort().join(', ')} share labels ${JSON.stringify(g.labels)} with pods of other ServiceAccounts: they get a node that accepts no client (narrower), and every pod it catches — of ${who.join(', ')} — is refused or, when another node also selects it, not admitted. Give them distinguishing labels`);
    const listeners = tcpPorts(caught, model.inventory).map((port) => listener(port, 'tcp', trustBundle(options.trustDomain), options, []));
    out.push({
      apiVersion: APPMESH_API, kind: 'VirtualNode', metadata: meta('appmesh', derivedName('smi', `locked-${g.namespace}-${i}`), g.namespace, []),
      spec: { podSelector: { matchLabels: g.labels }, ...(listeners.length > 0 ? { listeners } : {}), serviceDiscovery: { dns: { hostname: serviceFqdn(`smi-locked-${i}`, g.namespace, options.clusterDomain) } } } satisfies VirtualNodeSpec,
    });
  });

  return out;
}

/** The cluster-wide warnings: what App Mesh's proxies never see. */
export function nodeNotes(model: PolicyModel, report: Report): void {
  if (model.mode !== 'permissive') {
    report(undefined, 'warning', 'APPMESH_UNDECLARED_PORTS_NOT_ENFORCED',
      "App Mesh's proxy intercepts inbound traffic on its node's listener ports only, the TCP ports pod specs declare and the target ports of their Services: traffic to other ports bypasses it, neither allowed nor denied by the mesh (declare every port the application listens on)");
    report(undefined, 'warning', 'APPMESH_UDP_NOT_ENFORCED', 'App Mesh listeners are TCP, HTTP or gRPC: UDP bypasses the proxy, so UDPRoute rules and deny-by-default do not apply to UDP (add --fence networkpolicy: Kubernetes NetworkPolicies then decide UDP)');
  }
}
