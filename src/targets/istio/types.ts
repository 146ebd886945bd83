/** Istio resource shapes, from the typed models of @kubernetes-models/istio (types only). */
import type { IAuthorizationPolicy } from '@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy';
import type { IVirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService';
import { resourceKind } from '../resource-kind.js';

/** A policy reference to a Gateway API object (Istio's PolicyTargetReference): at a waypoint, the Service (or the waypoint) it applies to. */
export interface PolicyTargetRef { group?: string; kind: string; name: string; namespace?: string }
/** targetRefs is newer than the typed models: a policy with it applies at a waypoint, not at ztunnel or a sidecar. */
export type AuthorizationPolicySpec = NonNullable<IAuthorizationPolicy['spec']> & { targetRefs?: PolicyTargetRef[] };
export type AuthorizationRule = NonNullable<AuthorizationPolicySpec['rules']>[number];
export type Operation = NonNullable<NonNullable<NonNullable<AuthorizationRule['to']>[number]['operation']>>;
export type Condition = NonNullable<AuthorizationRule['when']>[number];
export type VirtualServiceSpec = NonNullable<IVirtualService['spec']>;
export type HttpRoute = NonNullable<VirtualServiceSpec['http']>[number];
export type HttpMatchRequest = NonNullable<HttpRoute['match']>[number];
export type StringMatch = NonNullable<HttpMatchRequest['uri']>;
export type TcpRoute = NonNullable<VirtualServiceSpec['tcp']>[number];
export type RouteDestination = NonNullable<HttpRoute['route']>[number];

export const AUTHZ_API = 'security.istio.io/v1';
export const NETWORKING_API = 'networking.istio.io/v1';

export const AUTHORIZATION_POLICY = resourceKind<AuthorizationPolicySpec>(AUTHZ_API, 'AuthorizationPolicy');

/** Ambient's waypoint: a Gateway API Gateway of Istio's waypoint class, listening for HBONE. */
export const GATEWAY_API = 'gateway.networking.k8s.io/v1';
export const WAYPOINT_CLASS = 'istio-waypoint';
export const HBONE_PORT = 15008;
/** On a Namespace (or Service): the waypoint its Services' traffic goes through. */
export const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';
/** On a waypoint: which traffic it takes (service: traffic addressed to Services). */
export const WAYPOINT_FOR_LABEL = 'istio.io/waypoint-for';
/** On the pods of a Gateway Istio deploys (a waypoint's): the Gateway's name. */
export const WAYPOINT_POD_LABEL = 'gateway.networking.k8s.io/gateway-name';
export interface GatewaySpec { gatewayClassName: string; listeners: { name: string; port: number; protocol: string }[] }
export const GATEWAY = resourceKind<GatewaySpec>(GATEWAY_API, 'Gateway');
export const VIRTUAL_SERVICE = resourceKind<VirtualServiceSpec>(NETWORKING_API, 'VirtualService');

export const principal = (trustDomain: string, namespace: string, name: string) => `${trustDomain}/ns/${namespace}/sa/${name}`;
export { serviceFqdn as serviceHost } from '../naming.js';
