/**
 * Consul config entries as consul-k8s serves them (consul.hashicorp.com/v1alpha1), only the fields
 * smi writes or reads. Shapes follow test/reference/crds/consul.
 */
import { resourceKind } from '../resource-kind.js';

export const CONSUL_API = 'consul.hashicorp.com/v1alpha1';

export interface ConsulHeaderMatch {
  /** Lower case: HTTP header names are case-insensitive. */
  name: string;
  exact?: string;
  prefix?: string;
  /** RE2, matched against the whole value (Envoy safe_regex). */
  regex?: string;
  present?: boolean;
}

/** The HTTP match shared by intention permissions and service-router routes. */
export interface ConsulHttpMatch {
  pathExact?: string;
  pathPrefix?: string;
  /** RE2, matched against the whole path. */
  pathRegex?: string;
  methods?: string[];
  header?: ConsulHeaderMatch[];
}

export interface IntentionPermission {
  action: 'allow' | 'deny';
  http: ConsulHttpMatch;
}

export interface IntentionSource {
  /** A Consul service name or "*". */
  name: string;
  /** Consul Enterprise namespace (mirroring) or "*"; absent on Consul CE. */
  namespace?: string;
  action?: 'allow' | 'deny';
  permissions?: IntentionPermission[];
  description?: string;
}

export interface ServiceIntentionsSpec {
  destination: { name: string; namespace?: string };
  sources: IntentionSource[];
}

export interface ServiceDefaultsSpec {
  protocol: 'http' | 'tcp';
}

export interface SplitEntry {
  weight: number;
  service: string;
  namespace?: string;
  serviceSubset?: string;
}

export interface ServiceSplitterSpec {
  splits: SplitEntry[];
}

export interface RouterRoute {
  match: { http: ConsulHttpMatch };
  destination: { service: string; namespace?: string; serviceSubset?: string };
}

export interface ServiceRouterSpec {
  routes: RouterRoute[];
}

export interface ServiceResolverSpec {
  subsets: Record<string, { filter: string }>;
}

export const SERVICE_INTENTIONS = resourceKind<ServiceIntentionsSpec>(CONSUL_API, 'ServiceIntentions');
export const SERVICE_DEFAULTS = resourceKind<ServiceDefaultsSpec>(CONSUL_API, 'ServiceDefaults');
export const SERVICE_SPLITTER = resourceKind<ServiceSplitterSpec>(CONSUL_API, 'ServiceSplitter');
export const SERVICE_ROUTER = resourceKind<ServiceRouterSpec>(CONSUL_API, 'ServiceRouter');
export const SERVICE_RESOLVER = resourceKind<ServiceResolverSpec>(CONSUL_API, 'ServiceResolver');

/** The resolver subset that means "every instance": Consul reads an empty filter as no filter. */
export const ALL_INSTANCES_SUBSET = 'smi-all';
