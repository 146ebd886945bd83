/** Gateway API route shapes (gateway.networking.k8s.io), from @kubernetes-models/gateway-api (types only). */
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import type { ITCPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1alpha2/TCPRoute';
import { resourceKind } from '../resource-kind.js';

export type HTTPRouteSpec = IHTTPRoute['spec'];
export type HTTPRouteRule = NonNullable<HTTPRouteSpec['rules']>[number];
export type HTTPRouteMatch = NonNullable<HTTPRouteRule['matches']>[number];
export type HTTPHeaderMatch = NonNullable<HTTPRouteMatch['headers']>[number];
export type HTTPPathMatch = NonNullable<HTTPRouteMatch['path']>;
export type HTTPMethod = NonNullable<HTTPRouteMatch['method']>;
export type HTTPBackendRef = NonNullable<HTTPRouteRule['backendRefs']>[number];
export type ParentRef = NonNullable<HTTPRouteSpec['parentRefs']>[number];
export type TCPRouteSpec = ITCPRoute['spec'];
export type TCPRouteRule = TCPRouteSpec['rules'][number];

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
export const HTTP_ROUTE_API = `${GATEWAY_GROUP}/v1`;

export const HTTP_ROUTE = resourceKind<HTTPRouteSpec>(HTTP_ROUTE_API, 'HTTPRoute');
/** TCPRoute and UDPRoute (v1alpha2) have the same shape: rules of backendRefs, no matches. */
export const TCP_ROUTE = resourceKind<TCPRouteSpec>(`${GATEWAY_GROUP}/v1alpha2`, 'TCPRoute');
export const UDP_ROUTE = resourceKind<TCPRouteSpec>(`${GATEWAY_GROUP}/v1alpha2`, 'UDPRoute');
