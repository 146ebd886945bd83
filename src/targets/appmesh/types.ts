/**
 * AWS App Mesh resources as the App Mesh controller for Kubernetes serves them
 * (appmesh.k8s.aws/v1beta2), only the fields smi writes or reads. Shapes follow
 * test/reference/crds/appmesh.
 */
import { resourceKind } from '../resource-kind.js';

export const APPMESH_API = 'appmesh.k8s.aws/v1beta2';

export type ListenerProtocol = 'http' | 'tcp';
export interface PortMapping { port: number; protocol: ListenerProtocol }
export interface SdsRef { sds: { secretName: string } }
export interface Ref { name: string; namespace?: string }

export interface ListenerTls {
  mode: 'STRICT' | 'PERMISSIVE';
  certificate: SdsRef;
  validation?: { trust: SdsRef; subjectAlternativeNames: { match: { exact: string[] } } };
}

export interface Listener { portMapping: PortMapping; tls?: ListenerTls }

export interface BackendRef { virtualService: { virtualServiceRef: Ref } }

export interface VirtualNodeSpec {
  podSelector?: { matchLabels: Record<string, string> };
  listeners?: Listener[];
  serviceDiscovery: { dns: { hostname: string } };
  backends?: BackendRef[];
  backendDefaults?: { clientPolicy: { tls: { enforce: boolean; certificate: SdsRef; validation: { trust: SdsRef } } } };
}

export interface WeightedTarget { virtualNodeRef: Ref; weight: number; port?: number }

export interface HeaderMatch { name: string; match?: { exact?: string; prefix?: string; regex?: string } }

export interface HttpRouteMatch {
  prefix?: string;
  path?: { exact?: string; regex?: string };
  headers?: HeaderMatch[];
  method?: string;
  port?: number;
}

export interface Route {
  name: string;
  priority?: number;
  httpRoute?: { match: HttpRouteMatch; action: { weightedTargets: WeightedTarget[] } };
  tcpRoute?: { match?: { port: number }; action: { weightedTargets: WeightedTarget[] } };
}

export interface VirtualRouterSpec { listeners: { portMapping: PortMapping }[]; routes: Route[] }

export interface VirtualServiceSpec {
  awsName: string;
  provider: { virtualNode?: { virtualNodeRef: Ref }; virtualRouter?: { virtualRouterRef: Ref } };
}

export const VIRTUAL_NODE = resourceKind<VirtualNodeSpec>(APPMESH_API, 'VirtualNode');
export const VIRTUAL_ROUTER = resourceKind<VirtualRouterSpec>(APPMESH_API, 'VirtualRouter');
export const VIRTUAL_SERVICE = resourceKind<VirtualServiceSpec>(APPMESH_API, 'VirtualService');

/** App Mesh limits from its CRDs: weighted targets per route, weight per target, route priority. */
export const MAX_TARGETS = 10;
export const MAX_WEIGHT = 100;
export const LOWEST_PRIORITY = 1000;

/** The SPIFFE ID SPIRE issues to a pod (k8s-workload-registrar's default shape). */
export const spiffeId = (trustDomain: string, namespace: string, serviceAccount: string): string => `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
export const trustBundle = (trustDomain: string): string => `spiffe://${trustDomain}`;
/** A SAN no workload is ever issued: a listener validating only it accepts no client. */
export const NOBODY = (trustDomain: string): string => `spiffe://${trustDomain}/smi/allow-nothing`;
