/** Linkerd policy resource shapes (policy.linkerd.io), as the CRDs Linkerd ships define them. */
import type { HTTPRouteMatch } from '../gateway/types.js';
import { resourceKind } from '../resource-kind.js';

export const POLICY_GROUP = 'policy.linkerd.io';
export const SERVER_API = `${POLICY_GROUP}/v1beta3`;
export const POLICY_ROUTE_API = `${POLICY_GROUP}/v1beta3`;
export const AUTHZ_API = `${POLICY_GROUP}/v1alpha1`;
export const SERVICE_PROFILE_API = 'linkerd.io/v1alpha2';
/** Linkerd reads TCPRoute at this version. */
export const TCP_ROUTE_API = 'gateway.networking.k8s.io/v1alpha2';
/** The policy resources Linkerd's authorization writes (also paired with Gateway API routes by --authz linkerd). */
export const SERVER = resourceKind<ServerSpec>(SERVER_API, 'Server');
export const POLICY_HTTP_ROUTE = resourceKind<PolicyHTTPRouteSpec>(POLICY_ROUTE_API, 'HTTPRoute');
export const AUTHORIZATION_POLICY = resourceKind<AuthorizationPolicySpec>(AUTHZ_API, 'AuthorizationPolicy');
export const MESH_TLS_AUTHENTICATION = resourceKind<MeshTLSAuthenticationSpec>(AUTHZ_API, 'MeshTLSAuthentication');
export const SERVICE_PROFILE = resourceKind<ServiceProfileSpec>(SERVICE_PROFILE_API, 'ServiceProfile');
export const AUTHZ_WRITES = [`${SERVER_API}/Server`, `${POLICY_ROUTE_API}/HTTPRoute`, `${AUTHZ_API}/AuthorizationPolicy`, `${AUTHZ_API}/MeshTLSAuthentication`];

/** The namespace (or pod) annotation that overrides the cluster's default inbound policy. */
export const DEFAULT_INBOUND_POLICY_ANNOTATION = 'config.linkerd.io/default-inbound-policy';

export type AccessPolicy = 'deny' | 'all-unauthenticated' | 'all-authenticated' | 'cluster-authenticated' | 'cluster-unauthenticated' | 'audit';

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export interface ServerSpec {
  podSelector?: LabelSelector;
  port: number | string;
  proxyProtocol?: 'unknown' | 'HTTP/1' | 'HTTP/2' | 'gRPC' | 'opaque' | 'TLS';
  accessPolicy?: AccessPolicy;
}

export interface TargetRef {
  group?: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface AuthorizationPolicySpec {
  targetRef: TargetRef;
  requiredAuthenticationRefs: TargetRef[];
}

export interface MeshTLSAuthenticationSpec {
  identities?: string[];
  identityRefs?: TargetRef[];
}

export interface PolicyHTTPRouteSpec {
  parentRefs?: TargetRef[];
  rules?: { matches?: HTTPRouteMatch[] }[];
}

/** A weighted backend of a ServiceProfile: the authority (`svc.ns.svc.cluster.local`) and a weight (`500m`, `1`). */
export interface DstOverride {
  authority: string;
  weight: number | string;
}

export interface ServiceProfileSpec {
  routes: unknown[];
  dstOverrides?: DstOverride[];
}

/** The mTLS identity Linkerd gives a ServiceAccount. */
export const meshIdentity = (trustDomain: string, namespace: string, name: string) => `${name}.${namespace}.serviceaccount.identity.linkerd.${trustDomain}`;
