/**
 * CiliumNetworkPolicy (cilium.io/v2) as smi writes and reads it: the fields of an ingress policy
 * (shapes from the CRD in test/reference/crds/cilium; what they mean in MESH-NOTES.md).
 */
import { resourceKind } from '../resource-kind.js';

export const CILIUM_API = 'cilium.io/v2';

/** Labels Cilium derives for every endpoint: its ServiceAccount (from spec.serviceAccountName) and namespace. */
export const SERVICE_ACCOUNT_LABEL = 'io.cilium.k8s.policy.serviceaccount';
export const NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';

export interface EndpointSelector {
  matchLabels?: Record<string, string>;
}

export interface PortProtocol {
  /** A number as a string (Cilium also takes port names, which smi does not write). */
  port: string;
  endPort?: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP' | 'ANY';
}

export interface HttpRule {
  /** Regexes matched against the whole :method and :path (RE2; :path includes the query string). */
  method?: string;
  path?: string;
  /** "Name value" (exact) or "Name" (present). */
  headers?: string[];
}

export interface PortRule {
  ports?: PortProtocol[];
  rules?: { http?: HttpRule[] };
}

export interface IngressRule {
  fromEndpoints?: EndpointSelector[];
  /** required: the peers' agents complete a mutual TLS handshake with SPIFFE identities (SPIRE) first. */
  authentication?: { mode: 'disabled' | 'required' | 'test-always-fail' };
  toPorts?: PortRule[];
}

export interface CiliumNetworkPolicySpec {
  description?: string;
  endpointSelector: EndpointSelector;
  ingress?: IngressRule[];
  /** smi never writes it; read because a policy with ingress.false does not isolate its endpoints. */
  enableDefaultDeny?: { ingress?: boolean; egress?: boolean };
}

export const CILIUM_NETWORK_POLICY = resourceKind<CiliumNetworkPolicySpec>(CILIUM_API, 'CiliumNetworkPolicy');
