/**
 * The Gateway API for mesh target (GAMMA): TrafficSplits as HTTPRoute/TCPRoute (gateway.networking.k8s.io/v1)
 * attached to the root Service. Gateway API has no standard authorization, so access is written with
 * the authorization resources of the mesh named by `authz` (Istio or Linkerd) and evaluated as that
 * mesh would; without it, access control is reported as not enforced.
 */
import type { Target } from '../target.js';
import { gatewayApiFeatures } from './features.js';
import { GATEWAY_API_OPTIONS } from './options.js';
import { GATEWAY_API_FENCE } from './fence-profile.js';
import { ISTIO_FENCE } from '../istio/fence-profile.js';
import { LINKERD_FENCE } from '../linkerd/fence-profile.js';
import { collectTranslation } from '../diagnostics.js';
import { translateAuthorization } from '../istio/authorization.js';
import { AUTHZ_API } from '../istio/types.js';
import { AUTHZ_WRITES as LINKERD_AUTHZ_WRITES } from '../linkerd/types.js';
import { evaluateIstioAccess, ISTIO_PATH_VIEW } from '../istio/evaluate.js';
import { LINKERD_PATH_VIEW } from '../linkerd/index.js';
import { RAW_PATH } from '../envoy-path.js';
import { translateLinkerdAuthorization } from '../linkerd/authorization.js';
import { evaluateLinkerdAccess } from '../linkerd/evaluate.js';
import { translateSplitRoutes } from '../gateway/split.js';
import { evaluateGatewayRoute } from '../gateway/evaluate-route.js';

const TCP_ROUTE_API = 'gateway.networking.k8s.io/v1';

export const gatewayApi: Target = {
  name: 'gateway-api',
  summary: 'Gateway API for mesh (GAMMA): HTTPRoute/TCPRoute on the root Service; authorization from --authz istio|linkerd',
  writes: ['gateway.networking.k8s.io/v1/HTTPRoute', `${TCP_ROUTE_API}/TCPRoute`],
  writesWith: (options) => [
    'gateway.networking.k8s.io/v1/HTTPRoute', `${TCP_ROUTE_API}/TCPRoute`,
    ...(options.authz === 'istio' ? [`${AUTHZ_API}/AuthorizationPolicy`] : []),
    ...(options.authz === 'linkerd' ? LINKERD_AUTHZ_WRITES : []),
  ],
  limitations: [
    'no standard authorization: without --authz, TrafficTargets are not enforced',
    'RegularExpression matches are implementation-specific: smi writes RE2 anchored at both ends (exact on Istio and Linkerd)',
    'splits need the root Service in the input (routes attach to its ports)',
  ],
  namespaceLocal: () => true,
  options: GATEWAY_API_OPTIONS,
  authorization: (options) => options.authz,
  fenceProfile: (options) => (options.authz === 'istio' ? ISTIO_FENCE : options.authz === 'linkerd' ? LINKERD_FENCE : GATEWAY_API_FENCE),
  annotatesNamespaces: (options) => options.authz === 'linkerd' && options.linkerdNamespaceDeny === true,
  features: (options) => gatewayApiFeatures(options.authz),
  pathView: (options) => (options.authz === 'istio' ? ISTIO_PATH_VIEW : options.authz === 'linkerd' ? LINKERD_PATH_VIEW : RAW_PATH),
  audit: 'as the mesh named by --authz audits: Istio dry-run policies, or Linkerd audit Servers',
  translate: (model, options) =>
    collectTranslation((report) => {
      const routes = translateSplitRoutes(model, report, { mesh: 'gateway-api', codePrefix: 'GATEWAY', tcpRouteApi: TCP_ROUTE_API });
      if (options.authz === 'istio') return [...routes, ...translateAuthorization(model, options, report, 'gateway-api')];
      if (options.authz === 'linkerd') return [...routes, ...translateLinkerdAuthorization(model, options, report, 'gateway-api')];
      // lockedDown: destinations of any TrafficTarget, valid or not, are denied in per-destination mode too.
      if (model.mode !== 'permissive' && (model.lockedDown.size > 0 || model.destinations.size > 0 || model.mode === 'strict')) {
        report(undefined, 'error', 'GATEWAY_AUTHZ_NOT_ENFORCED',
        'Gateway API has no standard authorization: TrafficTargets and deny-by-default are not written. Pass --authz istio or --authz linkerd to pair the routes with that mesh\'s authorization resources (or --access-mode permissive when only splits matter)');
      }
      return routes;
    }),
  evaluateAccess(resources, workload, request, options, context) {
    if (options.authz === 'istio') return evaluateIstioAccess(resources, workload, request, options, context);
    if (options.authz === 'linkerd') return evaluateLinkerdAccess(resources, workload, request, options, context);
    return { allowed: true, enforced: false, reasons: ['Gateway API has no authorization resources; nothing enforces access'] };
  },
  evaluateRoute: (resources, request) => evaluateGatewayRoute(resources, request),
};
