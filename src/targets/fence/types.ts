/**
 * Kubernetes NetworkPolicy (networking.k8s.io/v1) as the fence writes and reads it: ingress only,
 * label selectors as matchLabels (the fields and their meaning in MESH-NOTES.md).
 */
import { resourceKind } from '../resource-kind.js';

export const NETWORK_POLICY_API = 'networking.k8s.io/v1';
export const NETWORK_POLICY = `${NETWORK_POLICY_API}/NetworkPolicy`;
export const NETWORK_POLICY_KIND = resourceKind<NetworkPolicySpec>(NETWORK_POLICY_API, 'NetworkPolicy');

/** Set by Kubernetes on every Namespace: the one namespace label the fence can rely on. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyPort {
  /** Default TCP. */
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  /** Absent: every port of the protocol. A name refers to a container port of the selected pod. */
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicyIngressRule {
  /** Absent or empty: every source. */
  from?: NetworkPolicyPeer[];
  /** Absent or empty: every port and protocol. */
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes?: ('Ingress' | 'Egress')[];
  ingress?: NetworkPolicyIngressRule[];
}

/** A port the mesh itself needs reachable on the pods it runs in, and why. */
export interface MeshPort {
  readonly port: number;
  readonly why: string;
}

/**
 * What a mesh needs from the fence to keep working: what smi cannot know from SMI and must not close.
 * Written per mesh in profiles.ts, from each mesh's documentation.
 */
export interface FenceProfile {
  /** The proxy's own ports that others reach whatever SMI says (metrics scraping): open to every pod; the proxy serves them itself, no application sees that traffic. */
  readonly open: readonly MeshPort[];
  /** Meshed TCP arrives here rather than at the application's port (Consul's sidecar listener): granted TCP is let in on this port instead. */
  readonly tcpWirePort?: MeshPort;
  /** Ports meshed callers granted any TCP also use (Linkerd's opaque transport): let in from those callers. */
  readonly tunnel: readonly MeshPort[];
  /** What the fence leaves to the mesh on this target, for the docs and `smi translate` notes. */
  readonly notes: readonly string[];
}

/**
 * Pods of the mesh's own that carry granted callers' connections on to a destination (Istio ambient's
 * waypoints): in their namespace, they are let into the destinations there on this port, and every pod
 * may reach them on it — the mesh judges what they carry.
 */
export interface FenceRelay {
  readonly namespace: string;
  /** The relay pods' labels (matchLabels). */
  readonly podLabels: Readonly<Record<string, string>>;
  readonly port: MeshPort;
  /** The relay's own ports others reach (health, metrics scraping): open to every pod, like FenceProfile.open. */
  readonly open: readonly MeshPort[];
}

/** Said on every mesh's fence: kubelet probes come from the node. */
export const NODE_PROBES = 'kubelet probes come from the node, which most NetworkPolicy implementations exempt; where yours does not, add a NetworkPolicy with an ipBlock for the node addresses';
