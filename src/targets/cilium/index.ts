/**
 * The Cilium target: CiliumNetworkPolicy (cilium.io/v2) for access — enforced by the CNI in the
 * datapath (L4, UDP included) and by the node's Envoy (L7 HTTP) — and Gateway API routes (GAMMA),
 * which Cilium implements, for splits.
 */
import type { Target } from '../target.js';
import { CILIUM_FEATURES } from './features.js';
import { CILIUM_METRICS } from './metrics.js';
import { CILIUM_OPTIONS } from './options.js';
import { collectTranslation } from '../diagnostics.js';
import { translateSplitRoutes } from '../gateway/split.js';
import { evaluateGatewayRoute } from '../gateway/evaluate-route.js';
import { translateCiliumPolicies } from './network-policy.js';
import { CILIUM_PATH_VIEW, evaluateCiliumAccess } from './evaluate.js';
import { CILIUM_API } from './types.js';

const TCP_ROUTE_API = 'gateway.networking.k8s.io/v1';

export const cilium: Target = {
  name: 'cilium',
  summary: 'Cilium: CiliumNetworkPolicy (ingress, by ServiceAccount; L4 incl. UDP, L7 HTTP) and Gateway API routes for splits',
  writes: [`${CILIUM_API}/CiliumNetworkPolicy`, 'gateway.networking.k8s.io/v1/HTTPRoute', `${TCP_ROUTE_API}/TCPRoute`],
  limitations: [
    'header values are exact or presence only: other header regexes are left out (narrower)',
    'L7 rules name ports: HTTP granted on every port covers the ports the destination\'s pods declare',
    'a source with HTTP rules on a port is proxied as HTTP there (Cilium 1.5+): its plain TCP to that port is refused, even where another rule grants it',
    'paths are matched with the query string: smi writes each pathRegex so that the query never decides (regexes using (?m), or a word boundary beside an end anchor, are left out)',
  ],
  namespaceLocal: () => true,
  options: CILIUM_OPTIONS,
  authorization: () => 'cilium',
  systemNamespaces: [/^cilium(-|$)/],
  metrics: CILIUM_METRICS,
  features: () => CILIUM_FEATURES,
  pathView: () => CILIUM_PATH_VIEW,
  translate: (model, options) =>
    collectTranslation((report) => [
      ...translateSplitRoutes(model, report, { mesh: 'cilium', codePrefix: 'CILIUM', tcpRouteApi: TCP_ROUTE_API }),
      ...translateCiliumPolicies(model, report, options),
    ]),
  evaluateAccess: (resources, workload, request) => evaluateCiliumAccess(resources, workload, request),
  evaluateRoute: (resources, request) => evaluateGatewayRoute(resources, request),
};
