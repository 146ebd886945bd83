/**
 * The Linkerd target: policy.linkerd.io Server / HTTPRoute / AuthorizationPolicy /
 * MeshTLSAuthentication for access, Gateway API HTTPRoute/TCPRoute on the root Service for splits
 * (or legacy ServiceProfile dstOverrides with linkerdServiceProfiles).
 */
import type { Target } from '../target.js';
import { LINKERD_FEATURES } from './features.js';
import { LINKERD_METRICS } from './metrics.js';
import { LINKERD_OPTIONS } from './options.js';
import { LINKERD_FENCE } from './fence-profile.js';
import type { PathView } from '../envoy-path.js';
import { collectTranslation } from '../diagnostics.js';
import { translateSplitRoutes } from '../gateway/split.js';
import { evaluateGatewayRoute } from '../gateway/evaluate-route.js';
import { translateLinkerdAuthorization } from './authorization.js';
import { evaluateLinkerdAccess } from './evaluate.js';
import { evaluateServiceProfile, translateServiceProfiles } from './service-profile.js';
import { AUTHZ_WRITES, SERVICE_PROFILE_API, TCP_ROUTE_API } from './types.js';

/** Linkerd's proxy matches route paths against the request URI's path as received: no query, no normalisation. */
export const LINKERD_PATH_VIEW: PathView = {
  query: 'excluded',
  normalization: [],
  source: "Linkerd's HTTPRoute path matches (policy.linkerd.io) take the request URI's path, which holds no query string; Linkerd documents no path normalisation in its proxy, and smi models none",
};

export const linkerd: Target = {
  name: 'linkerd',
  summary: 'Linkerd: Server, HTTPRoute, AuthorizationPolicy and MeshTLSAuthentication (policy.linkerd.io); Gateway API routes for splits',
  writes: [...AUTHZ_WRITES, 'gateway.networking.k8s.io/v1/HTTPRoute', `${TCP_ROUTE_API}/TCPRoute`, `${SERVICE_PROFILE_API}/ServiceProfile`],
  writesWith: (options) => [...AUTHZ_WRITES, ...(options.linkerdServiceProfiles ? [`${SERVICE_PROFILE_API}/ServiceProfile`] : ['gateway.networking.k8s.io/v1/HTTPRoute', `${TCP_ROUTE_API}/TCPRoute`])],
  limitations: [
    'Servers cover the container ports pod specs declare; other ports follow the default inbound policy (set it to deny for strict mode)',
    'one route judges each request: overlapping matches with different sources can narrow access',
    'on opaque ports (Linkerd\'s defaults such as 3306, or appProtocol linkerd.io/opaque) HTTP is carried as TCP: route-level grants there are lost',
    'UDP is not proxied by Linkerd: UDPRoute rules and UDP denials are not enforced',
    'workloads are selected by pod labels: ServiceAccounts whose pods share labels with others cannot be isolated',
    'splits need the root Service in the input (routes attach to its ports)',
  ],
  namespaceLocal: () => true,
  options: LINKERD_OPTIONS,
  authorization: () => 'linkerd',
  fenceProfile: () => LINKERD_FENCE,
  annotatesNamespaces: (options) => options.linkerdNamespaceDeny === true,
  systemNamespaces: [/^linkerd(-|$)/],
  metrics: LINKERD_METRICS,
  features: () => LINKERD_FEATURES,
  pathView: () => LINKERD_PATH_VIEW,
  audit: 'Servers use accessPolicy audit (with a catch-all route): what no policy authorizes is let through and reported in authorization metrics and logs',
  translate: (model, options) =>
    collectTranslation((report) => [
      ...translateLinkerdAuthorization(model, options, report),
      ...(options.linkerdServiceProfiles
        ? translateServiceProfiles(model, options, report)
        : translateSplitRoutes(model, report, { mesh: 'linkerd', codePrefix: 'LINKERD', tcpRouteApi: TCP_ROUTE_API })),
    ]),
  evaluateAccess: evaluateLinkerdAccess,
  evaluateRoute(resources, request, options) {
    return evaluateServiceProfile(resources, request, options) ?? evaluateGatewayRoute(resources, request);
  },
};
