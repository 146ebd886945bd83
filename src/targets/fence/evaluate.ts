/**
 * What a CNI does with NetworkPolicies (networking.k8s.io/v1) — written from the Kubernetes
 * documentation (Network Policies), not from how the fence builds them.
 *
 * A pod is isolated for ingress when some NetworkPolicy of its namespace selects it (an empty
 * podSelector selects every pod) and lists Ingress in policyTypes (or has no policyTypes: Ingress is
 * then implied). A connection to an isolated pod is allowed iff some ingress rule of some selecting
 * policy allows it: its `from` is absent or empty (every source) or one peer fits — podSelector alone
 * means pods of the policy's namespace, namespaceSelector alone every pod of the namespaces it
 * selects, both together the pods it selects in those namespaces — and its `ports` are absent or
 * empty (every port) or one entry fits: protocol (default TCP), port (absent: every port; a number,
 * up to endPort; a name: the selected pod's container port of that name). Policies only add.
 *
 * Pods are judged by the labels every common CNI sees: Cilium enforces NetworkPolicies by security
 * identity, which leaves some pod labels out (pod-template-hash and the rest of its default filter),
 * so a selector naming one of those matches no pod there.
 */
import type { Workload } from '../../policy/model.js';
import type { MeshResource } from '../target.js';
import { NAMESPACE_NAME_LABEL, NETWORK_POLICY_KIND, type LabelSelector, type NetworkPolicyPeer, type NetworkPolicyPort } from './types.js';
import { resourcesOf } from '../resource-index.js';
import { ciliumIdentityLabels } from '../cilium/identity-labels.js';

/** A pod that may open the connection: its namespace (with the namespace's labels) and its labels. */
export interface PeerPod {
  readonly namespace: string;
  readonly namespaceLabels: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

export interface Connection {
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  readonly port: number;
  /** The pods it may come from; undefined: a caller the inventory does not know (outside the mesh). */
  readonly from?: readonly PeerPod[];
}

export interface FenceDecision {
  readonly allowed: boolean;
  readonly isolated: boolean;
  readonly reasons: readonly string[];
}

export function selectorMatches(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    const ok = e.operator === 'In' ? has && (e.values ?? []).includes(value!)
      : e.operator === 'NotIn' ? !has || !(e.values ?? []).includes(value!)
      : e.operator === 'Exists' ? has
      : !has;
    if (!ok) return false;
  }
  return true;
}

function peerFits(peer: NetworkPolicyPeer, pod: PeerPod, policyNamespace: string): boolean {
  // ipBlock peers name addresses, which the inventory does not know: they are never taken to fit.
  if (peer.ipBlock) return false;
  if (!peer.podSelector && !peer.namespaceSelector) return false;
  const namespaceLabels = { ...pod.namespaceLabels, [NAMESPACE_NAME_LABEL]: pod.namespace };
  const namespaceOk = peer.namespaceSelector ? selectorMatches(peer.namespaceSelector, namespaceLabels) : pod.namespace === policyNamespace;
  return namespaceOk && selectorMatches(peer.podSelector, ciliumIdentityLabels(pod.labels));
}

function portFits(p: NetworkPolicyPort, c: Connection, destination: Workload): boolean {
  if ((p.protocol ?? 'TCP') !== c.protocol) return false;
  if (p.port === undefined) return true;
  if (typeof p.port === 'string') return destination.ports.some((x) => x.name === p.port && x.port === c.port && x.protocol === c.protocol);
  return c.port >= p.port && c.port <= (p.endPort ?? p.port);
}

export function evaluateNetworkPolicies(resources: readonly MeshResource[], destination: Workload, connection: Connection): FenceDecision {
  const selecting = resourcesOf(resources, NETWORK_POLICY_KIND, destination.namespace)
    // Kubernetes reads a NetworkPolicy without a spec as an empty one: every pod of its namespace, ingress, nothing let in.
    .map((r) => ({ name: r.metadata.name, namespace: r.metadata.namespace ?? '', spec: r.spec ?? { podSelector: {} } }))
    .filter((p) => selectorMatches(p.spec.podSelector, ciliumIdentityLabels(destination.labels)) && (p.spec.policyTypes ?? ['Ingress']).includes('Ingress'));
  if (selecting.length === 0) return { allowed: true, isolated: false, reasons: ['no NetworkPolicy selects the pod for ingress: it is not isolated'] };
  for (const p of selecting) {
    for (const rule of p.spec.ingress ?? []) {
      const fromOk = !rule.from || rule.from.length === 0 || (connection.from ?? []).some((pod) => rule.from!.some((peer) => peerFits(peer, pod, p.namespace)));
      if (!fromOk) continue;
      if (!rule.ports || rule.ports.length === 0 || rule.ports.some((x) => portFits(x, connection, destination))) {
        return { allowed: true, isolated: true, reasons: [`NetworkPolicy ${p.name} lets ${connection.protocol}/${connection.port} in`] };
      }
    }
  }
  return { allowed: false, isolated: true, reasons: [`NetworkPolicy ${selecting.map((p) => p.name).join(', ')} isolate the pod and no rule lets ${connection.protocol}/${connection.port} in from the caller`] };
}
