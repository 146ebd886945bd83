/**
 * The fence: NetworkPolicies (networking.k8s.io/v1) beside a mesh's resources that let into each
 * destination's pods only the ports and protocols SMI grants, from the pods of the granted sources,
 * plus the ports the mesh itself needs. Pods are picked by labels that tell the identities of a
 * namespace apart in the inventory (selectors.ts); where none do, the fence lets in less, never more.
 * Only labels Cilium keeps in identities are used (cilium/identity-labels.ts): on a cluster whose CNI
 * is Cilium, a selector on pod-template-hash and the like would match no pod.
 * It only ever removes traffic: identity on what the mesh sees stays the mesh's job.
 */
import { identityKey, inScope, provenanceLabel, type Identity, type PolicyModel, type TargetPolicy } from '../../policy/model.js';
import { grantedPorts } from '../granted-ports.js';
import { derivedName, meta, resourceName } from '../naming.js';
import { planSelectors } from '../selectors.js';
import { ciliumKeepsLabel } from '../cilium/identity-labels.js';
import type { Report } from '../diagnostics.js';
import type { MeshName, MeshResource } from '../target.js';
import { NAMESPACE_NAME_LABEL, NETWORK_POLICY_API, type FenceProfile, type FenceRelay, type NetworkPolicyIngressRule, type NetworkPolicyPeer, type NetworkPolicyPort, type NetworkPolicySpec } from './types.js';

export const FENCE_DEFAULT_NAME = 'smi-fence--default';

interface Peers { readonly peers: NetworkPolicyPeer[]; readonly problem?: { severity: 'error' | 'warning'; code: string; text: string } }

/** The pods a source identity runs as, as NetworkPolicy peers in its own namespace. */
function peersOf(model: PolicyModel, source: Identity): Peers {
  const plan = planSelectors(model.inventory, source, ciliumKeepsLabel);
  const namespaceSelector = { matchLabels: { [NAMESPACE_NAME_LABEL]: source.namespace } };
  const peers = plan.selectors.map((matchLabels) => ({ namespaceSelector, podSelector: { matchLabels } }));
  if (plan.unisolated.length > 0) {
    return { peers, problem: { severity: 'error', code: 'FENCE_SOURCE_NOT_ISOLATED', text: `the pods of source ${identityKey(source)} cannot be told apart by labels from another identity's (${plan.conflicts.join('; ')}), so the fence does not let them in (narrower than SMI); give them distinct pod labels` } };
  }
  if (peers.length === 0) {
    return { peers, problem: { severity: 'warning', code: 'FENCE_SOURCE_NO_PODS', text: `no workload in the inventory runs as source ${identityKey(source)}, so the fence lets none of its pods in; translate again once it runs` } };
  }
  return { peers };
}

const ports = (set: ReadonlySet<number> | undefined, protocol: 'TCP' | 'UDP'): NetworkPolicyPort[] =>
  set === undefined ? [{ protocol }] : [...set].sort((a, b) => a - b).map((port) => ({ protocol, port }));

/** The TCP ports a TrafficTarget lets its sources use at L4 (HTTP included); undefined: every port. */
function tcpGranted(target: TargetPolicy): ReadonlySet<number> | undefined {
  if (target.hasHttpRules && target.httpMatches.length === 0) return new Set();
  if (!target.hasHttpRules && target.tcpPorts === undefined) return new Set();
  return grantedPorts(target);
}

function udpGranted(target: TargetPolicy): ReadonlySet<number> | undefined {
  if (target.udpPorts === undefined) return new Set();
  return grantedPorts({ tcpPorts: target.udpPorts, ...(target.legacyPort !== undefined ? { legacyPort: target.legacyPort } : {}) });
}

function grantRules(model: PolicyModel, destination: Identity, targets: readonly TargetPolicy[], profile: FenceProfile, peerCache: Map<string, Peers>, report: Report): NetworkPolicyIngressRule[] {
  const rules: NetworkPolicyIngressRule[] = [];
  for (const target of targets) {
    const from: NetworkPolicyPeer[] = [];
    for (const source of target.sources) {
      const key = identityKey(source);
      let p = peerCache.get(key);
      if (!p) peerCache.set(key, (p = peersOf(model, source)));
      if (p.problem) report(target.ref, p.problem.severity, p.problem.code, `${provenanceLabel(target.ref)} (destination ${identityKey(destination)}): ${p.problem.text}`);
      from.push(...p.peers);
    }
    if (from.length === 0) continue;
    const tcp = tcpGranted(target);
    const udp = udpGranted(target);
    const list: NetworkPolicyPort[] = [];
    if (tcp === undefined || tcp.size > 0) {
      list.push(...(profile.tcpWirePort ? [{ protocol: 'TCP' as const, port: profile.tcpWirePort.port }] : ports(tcp, 'TCP')));
      list.push(...profile.tunnel.map((t) => ({ protocol: 'TCP' as const, port: t.port })));
    }
    if (udp === undefined || udp.size > 0) list.push(...ports(udp, 'UDP'));
    if (list.length > 0) rules.push({ from, ports: list });
  }
  return rules;
}

const openRule = (profile: FenceProfile): NetworkPolicyIngressRule[] =>
  profile.open.length > 0 ? [{ ports: profile.open.map((p) => ({ protocol: 'TCP' as const, port: p.port })) }] : [];

export function translateFence(model: PolicyModel, mesh: MeshName, profile: FenceProfile, report: Report, relays: readonly FenceRelay[] = []): MeshResource[] {
  const out: MeshResource[] = [];
  if (model.mode === 'permissive') return out;
  const strict = model.mode === 'strict';
  const peerCache = new Map<string, Peers>();
  const policy = (name: string, namespace: string, spec: NetworkPolicySpec, targets: readonly TargetPolicy[]): MeshResource =>
    ({ apiVersion: NETWORK_POLICY_API, kind: 'NetworkPolicy', metadata: meta(mesh, name, namespace, targets.map((t) => t.ref)), spec });

  const destinations = new Map<string, { identity: Identity; targets: readonly TargetPolicy[] }>();
  for (const d of model.destinations.values()) destinations.set(identityKey(d.identity), { identity: d.identity, targets: d.targets });
  for (const key of model.lockedDown) {
    if (destinations.has(key)) continue;
    const [namespace = '', name = ''] = key.split('/');
    destinations.set(key, { identity: { namespace, name }, targets: [] });
  }
  for (const { identity, targets } of [...destinations.values()].sort((a, b) => identityKey(a.identity).localeCompare(identityKey(b.identity)))) {
    if (!inScope(model, identity.namespace)) continue;
    const plan = planSelectors(model.inventory, identity, ciliumKeepsLabel);
    if (plan.unisolated.length > 0) {
      const where = `${identityKey(identity)}: its pods cannot be told apart by labels from another identity's (${plan.conflicts.join('; ')})`;
      if (strict) report(targets[0]?.ref, 'error', 'FENCE_DESTINATION_NOT_ISOLATED', `${where}, so the fence lets nothing but the mesh's own ports into them (narrower than SMI); give them distinct pod labels`);
      else report(targets[0]?.ref, 'error', 'FENCE_DESTINATION_NOT_ENFORCED', `${where}, so the fence leaves them alone: UDP and ports the mesh does not see stay open to them; give them distinct pod labels`);
    }
    const granted = grantRules(model, identity, targets, profile, peerCache, report);
    // What the mesh's relays (waypoints) carry on arrives from their pods, not the callers'.
    const relayed = granted.length === 0 ? [] : relays.filter((r) => r.namespace === identity.namespace).map((r) => ({ from: [{ podSelector: { matchLabels: { ...r.podLabels } } }], ports: [{ protocol: 'TCP' as const, port: r.port.port }] }));
    const rules = [...granted, ...relayed];
    // In strict mode the namespace default isolates every pod and opens the mesh's ports; here only grants are added.
    const ingress = strict ? rules : [...rules, ...openRule(profile)];
    if (strict && ingress.length === 0) continue;
    const base = resourceName('smi-fence', identity.name);
    plan.selectors.forEach((matchLabels, i) => {
      const name = plan.selectors.length === 1 ? base : derivedName(base, String(i));
      out.push(policy(name, identity.namespace, { podSelector: { matchLabels }, policyTypes: ['Ingress'], ingress: structuredClone(ingress) }, targets));
    });
  }
  // Every pod may reach a relay on its port (the relay's mesh judges what it carries).
  for (const r of relays) {
    if (!inScope(model, r.namespace)) continue;
    out.push(policy(derivedName('smi-fence', 'relay'), r.namespace, { podSelector: { matchLabels: { ...r.podLabels } }, policyTypes: ['Ingress'], ingress: [{ ports: [r.port, ...r.open].map((p) => ({ protocol: 'TCP' as const, port: p.port })) }] }, []));
  }
  if (strict) {
    const namespaces = new Set<string>();
    for (const w of model.inventory.workloads) if (inScope(model, w.namespace)) namespaces.add(w.namespace);
    for (const { identity } of destinations.values()) if (inScope(model, identity.namespace)) namespaces.add(identity.namespace);
    for (const ns of [...namespaces].sort()) out.push(policy(FENCE_DEFAULT_NAME, ns, { podSelector: {}, policyTypes: ['Ingress'], ingress: openRule(profile) }, []));
  }
  return out;
}
