/** The Consul target: ServiceIntentions, ServiceDefaults, ServiceSplitter, ServiceRouter, ServiceResolver (consul.hashicorp.com/v1alpha1). */
import type { Target } from '../target.js';
import { CONSUL_FEATURES } from './features.js';
import { CONSUL_METRICS } from './metrics.js';
import { CONSUL_OPTIONS } from './options.js';
import { CONSUL_FENCE } from './fence-profile.js';
import type { PathView } from '../envoy-path.js';
import { translateByNamespace } from '../partition.js';
import { consulPartition } from './partition.js';
import { evaluateConsulAccess, evaluateConsulRoute } from './evaluate.js';
import { CONSUL_API } from './types.js';

/** Consul's L7 intentions become Envoy RBAC url_path matchers: the path without its query string. */
export const CONSUL_PATH_VIEW: PathView = {
  query: 'excluded',
  normalization: [],
  source: "consul-k8s L7 intentions become Envoy RBAC url_path matchers (agent/xds/rbac.go), which exclude the query string; whether the sidecar normalises paths first depends on the Consul version and the mesh config entry's request normalisation, which smi does not model",
};

export const consul: Target = {
  name: 'consul',
  summary: 'Consul: ServiceIntentions (L4 and L7), ServiceDefaults, ServiceSplitter, ServiceRouter and ServiceResolver config entries',
  writes: ['ServiceIntentions', 'ServiceDefaults', 'ServiceSplitter', 'ServiceRouter', 'ServiceResolver'].map((k) => `${CONSUL_API}/${k}`),
  limitations: [
    "a workload's Consul service is its ServiceAccount's name (consul-k8s with ACLs): Services must be named after the ServiceAccount of the pods they select",
    'without Consul Enterprise namespaces (--consul-namespaces mirror) a name used in several Kubernetes namespaces is one service: such identities and splits are left out',
    'intentions cover a whole service: grants limited to some ports are left out (narrower)',
    'route-level intentions, routers and splitters need protocol http: raw TCP to those services is no longer carried',
    'UDP is not carried by Consul sidecars; callers outside the mesh are refused',
    'weights are percentages with two decimals',
  ],
  partition: () => consulPartition,
  options: CONSUL_OPTIONS,
  authorization: () => 'consul',
  fenceProfile: () => CONSUL_FENCE,
  systemNamespaces: [/^consul$/],
  metrics: CONSUL_METRICS,
  features: () => CONSUL_FEATURES,
  pathView: () => CONSUL_PATH_VIEW,
  translate: (model, options) => translateByNamespace(consulPartition, model, options),
  evaluateAccess: evaluateConsulAccess,
  evaluateRoute: evaluateConsulRoute,
};
