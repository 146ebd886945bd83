/** Istio resource shapes, from the typed models of @kubernetes-models/istio (types only). */
import type { IAuthorizationPolicy } from '@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy';
import type { IVirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService';
import { resourceKind } from '../resource-kind.js';

export type AuthorizationPolicySpec = NonNullable<IAuthorizationPolicy['spec']>;
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
export const VIRTUAL_SERVICE = resourceKind<VirtualServiceSpec>(NETWORKING_API, 'VirtualService');

export const principal = (trustDomain: string, namespace: string, name: string) => `${trustDomain}/ns/${namespace}/sa/${name}`;
export { serviceFqdn as serviceHost } from '../naming.js';
