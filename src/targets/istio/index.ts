/** The Istio target: security.istio.io/v1 AuthorizationPolicy and networking.istio.io/v1 VirtualService. */
import type { Target } from '../target.js';
import { ISTIO_AMBIENT_FEATURES, ISTIO_FEATURES, ISTIO_WAYPOINT_FEATURES } from './features.js';
import { GATEWAY_API, HBONE_PORT, WAYPOINT_POD_LABEL } from './types.js';
import { ISTIO_METRICS } from './metrics.js';
import { isAmbient, ISTIO_OPTIONS, waypointOf } from './options.js';
import { ISTIO_AMBIENT_FENCE, ISTIO_FENCE, WAYPOINT_OWN_PORTS } from './fence-profile.js';
import { RAW_PATH } from '../envoy-path.js';
import { collectTranslation } from '../diagnostics.js';
import { translateAuthorization } from './authorization.js';
import { translateTraffic, WAYPOINT_TCP_ROUTE_API } from './traffic.js';
import { waypointInfrastructure, waypointNamespaces } from './waypoint.js';
import { evaluateIstioAccess, evaluateIstioRoute, ISTIO_PATH_VIEW } from './evaluate.js';

export const istio: Target = {
  name: 'istio',
  summary: 'Istio: AuthorizationPolicy (ALLOW, per destination workloads) and VirtualService (weighted routes)',
  writes: ['security.istio.io/v1/AuthorizationPolicy', 'networking.istio.io/v1/VirtualService'],
  // Ambient with a waypoint smi creates: the waypoint Gateways too.
  writesWith: (options) => {
    const waypoint = waypointOf(options);
    if (!waypoint) return ['security.istio.io/v1/AuthorizationPolicy', 'networking.istio.io/v1/VirtualService'];
    // Splits as Gateway API routes the waypoint carries, instead of VirtualServices.
    // VirtualService stays watched: what smi wrote before a switch to ambient is cleaned up.
    return ['security.istio.io/v1/AuthorizationPolicy', 'networking.istio.io/v1/VirtualService', `${GATEWAY_API}/HTTPRoute`, `${WAYPOINT_TCP_ROUTE_API}/TCPRoute`, ...(waypoint.create ? [`${GATEWAY_API}/Gateway`] : [])];
  },
  // Ambient with a waypoint: the istio.io/use-waypoint label on the namespaces that need it.
  annotatesNamespaces: (options) => waypointOf(options) !== undefined,
  limitations: [
    'authorization paths and header values are exact/prefix/suffix only: other regexes are left out (narrower)',
    'UDP is not intercepted by Istio proxies: UDPRoute rules and UDP denials are not enforced',
    'workloads are selected by pod labels: ServiceAccounts whose pods share labels with others cannot be isolated',
    'weights are whole percentages: shares are rounded',
    'ambient mode (--istio-data-plane ambient): L4 grants enforced by ztunnel; route-level grants and splits by a waypoint, for requests addressed to Services only',
  ],
  namespaceLocal: () => true,
  audit: 'every AuthorizationPolicy carries istio.io/dry-run: "true": evaluated and recorded (shadow decisions in logs and metrics), not enforced',
  options: ISTIO_OPTIONS,
  authorization: () => 'istio',
  fenceProfile: (options) => (isAmbient(options) ? ISTIO_AMBIENT_FENCE : ISTIO_FENCE),
  // The waypoint's pods carry route-level grants on to the destinations of their namespace over HBONE.
  fenceRelays: (model, options) => {
    const waypoint = waypointOf(options);
    return waypoint ? [...waypointNamespaces(model, options)].sort().map((namespace) => ({ namespace, podLabels: { [WAYPOINT_POD_LABEL]: waypoint.name }, port: { port: HBONE_PORT, why: `the waypoint ${waypoint.name} carries granted requests on to the destinations over HBONE` }, open: WAYPOINT_OWN_PORTS })) : [];
  },
  systemNamespaces: [/^istio-system$/],
  metrics: ISTIO_METRICS,
  features: (options) => (!isAmbient(options) ? ISTIO_FEATURES : waypointOf(options) ? ISTIO_WAYPOINT_FEATURES : ISTIO_AMBIENT_FEATURES),
  // Ambient without a waypoint: ztunnel forwards bytes and judges no path; a waypoint is Envoy, configured as a sidecar is.
  pathView: (options) => (isAmbient(options) && !waypointOf(options) ? RAW_PATH : ISTIO_PATH_VIEW),
  translate: (model, options) => collectTranslation((report) => [...waypointInfrastructure(model, options, 'istio'), ...translateAuthorization(model, options, report), ...translateTraffic(model, options, report)]),
  evaluateAccess: evaluateIstioAccess,
  evaluateRoute: evaluateIstioRoute,
};
