/** The AWS App Mesh target: VirtualNode, VirtualService, VirtualRouter (appmesh.k8s.aws/v1beta2). */
import type { Target } from '../target.js';
import { APPMESH_FEATURES } from './features.js';
import { APPMESH_METRICS } from './metrics.js';
import { APPMESH_FENCE } from './fence-profile.js';
import type { PathView } from '../envoy-path.js';
import { translateByNamespace } from '../partition.js';
import { evaluateAppMeshAccess, evaluateAppMeshRoute } from './evaluate.js';
import { appMeshPartition } from './partition.js';
import { APPMESH_API } from './types.js';

/** App Mesh authorizes per client certificate and port only: no path rule judges access. */
export const APPMESH_PATH_VIEW: PathView = {
  query: 'excluded',
  normalization: [],
  source: 'App Mesh has no path-based authorization (access is per client certificate and port); route paths match the path without its query, as Envoy route matches do',
};

export const appmesh: Target = {
  name: 'appmesh',
  summary: 'AWS App Mesh (end of support 2026-09-30; see --mesh gateway-api): VirtualNode listeners with mTLS SAN validation and backends, VirtualService, VirtualRouter',
  writes: ['VirtualNode', 'VirtualService', 'VirtualRouter'].map((k) => `${APPMESH_API}/${k}`),
  limitations: [
    'AWS ended support for App Mesh on 2026-09-30: migrate with --mesh gateway-api',
    'access is per client certificate and port: HTTP rules narrower than "everything" are left out (narrower)',
    'the proxy intercepts the ports pod specs declare only; UDP is not proxied',
    'identities are SPIFFE IDs spiffe://<trust-domain>/ns/<ns>/sa/<sa> issued over SDS (SPIRE)',
    'workloads are selected by pod labels: ServiceAccounts whose pods share labels with others cannot be isolated',
    'weights are integers up to 100; splits need the root Service in the input',
  ],
  partition: () => appMeshPartition,
  authorization: () => 'appmesh',
  fenceProfile: () => APPMESH_FENCE,
  systemNamespaces: [/^appmesh-system$/],
  metrics: APPMESH_METRICS,
  features: () => APPMESH_FEATURES,
  pathView: () => APPMESH_PATH_VIEW,
  translate: (model, options) => translateByNamespace(appMeshPartition, model, options),
  evaluateAccess: evaluateAppMeshAccess,
  evaluateRoute: evaluateAppMeshRoute,
};
