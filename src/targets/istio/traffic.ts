/**
 * TrafficSplits → Istio VirtualServices (networking.istio.io/v1) on the root service host: weighted
 * destinations per root port (a backend without the port is left out), v1alpha4 matches as match
 * blocks ahead of the default route to the root service. Weights become percentages summing to 100.
 * Istio docs: VirtualService reference ("HTTPRoute", "HTTPMatchRequest", "RouteDestination").
 */
import { provenanceLabel, type CompiledMatch, type PolicyModel } from '../../policy/model.js';
import { fullMatchRegex } from '../../policy/regex-forms.js';
import { toPercentages } from '../weights.js';
import { repeatedHeaderNames, repeatedHeadersReason } from '../header-conditions.js';
import { splitPortPlans } from '../split-plan.js';
import { meta, resourceName } from '../naming.js';
import type { Report } from '../diagnostics.js';
import { isAmbient, waypointOf } from './options.js';
import { translateSplitRoutes } from '../gateway/split.js';
import { waypointNamespaces } from './waypoint.js';
import type { MeshResource, TranslateOptions } from '../target.js';
import { NETWORKING_API, serviceHost, type HttpMatchRequest, type HttpRoute, type RouteDestination, type TcpRoute } from './types.js';


function matchRequest(m: CompiledMatch, port: number | undefined): HttpMatchRequest {
  return {
    ...(port !== undefined ? { port } : {}),
    ...(m.pathRegex !== undefined ? { uri: { regex: fullMatchRegex(m.pathRegex) } } : {}),
    ...(m.methods ? { method: { regex: [...m.methods].join('|') } } : {}),
    ...(m.headers.length > 0 ? { headers: Object.fromEntries(m.headers.map((h) => [h.name, { regex: fullMatchRegex(h.regex) }])) } : {}),
  };
}

/** Ambient with a waypoint: Gateway API routes on the root Service, which the waypoint of its namespace carries (GAMMA). */
export const WAYPOINT_TCP_ROUTE_API = 'gateway.networking.k8s.io/v1';

export function translateTraffic(model: PolicyModel, options: TranslateOptions, report: Report): MeshResource[] {
  if (waypointOf(options)) {
    // Only where a waypoint carries them: elsewhere (the root namespace, a namespace where the waypoint's identity is taken) ztunnel ignores routes.
    const carried = waypointNamespaces(model, options);
    for (const split of model.splits.values()) {
      if (carried.has(split.namespace) || splitPortPlans(model, split).every((p) => p.backends.length === 0)) continue;
      report(split.ref, 'error', 'ISTIO_AMBIENT_SPLIT_NOT_EXPRESSED', `${provenanceLabel(split.ref)}: in ambient mode weighted routing happens at a waypoint, and ${split.namespace} gets none (Istio's root namespace, or the waypoint's identity is taken there); nothing is written, so ${split.namespace}/${split.service} keeps its own endpoints (no split)`);
    }
    const splits = new Map([...model.splits].filter(([, s]) => carried.has(s.namespace)));
    return translateSplitRoutes({ ...model, splits }, report, { mesh: 'istio', codePrefix: 'ISTIO', tcpRouteApi: WAYPOINT_TCP_ROUTE_API });
  }
  const out: MeshResource[] = [];
  for (const split of [...model.splits.values()].sort((a, b) => `${a.namespace}/${a.service}`.localeCompare(`${b.namespace}/${b.service}`))) {
    const label = provenanceLabel(split.ref);
    if (isAmbient(options)) {
      // Routing by weight is L7: in ambient mode a waypoint does it, and --istio-waypoint none writes none.
      report(split.ref, 'error', 'ISTIO_AMBIENT_SPLIT_NOT_EXPRESSED', `${label}: in ambient mode weighted routing happens at a waypoint, and --istio-waypoint none keeps smi from writing one; nothing is written, so ${split.namespace}/${split.service} keeps its own endpoints (no split)`);
      continue;
    }
    const host = (key: string) => {
      const [ns = '', name = ''] = key.split('/');
      return serviceHost(name, ns, options.clusterDomain);
    };
    const rootHost = serviceHost(split.service, split.namespace, options.clusterDomain);
    const http: HttpRoute[] = [];
    const tcp: TcpRoute[] = [];
    for (const plan of splitPortPlans(model, split)) {
      if (plan.backends.length === 0) continue; // nobody can take this port: the root service serves it
      const { percents, maxError } = toPercentages(plan.backends.map((b) => b.weight));
      if (maxError > 1e-9) {
        report(split.ref, 'warning', 'ISTIO_WEIGHT_ROUNDED', `${label}${plan.port !== undefined ? ` port ${plan.port}` : ''}: Istio weights are whole percentages; shares move by up to ${maxError.toFixed(2)} points (${plan.backends.map((b, i) => `${b.service} ${percents[i]}%`).join(', ')})`);
      }
      const route: RouteDestination[] = plan.backends.map((b, i) => ({
        destination: { host: host(b.service), ...(plan.port !== undefined ? { port: { number: plan.port } } : {}) },
        weight: percents[i] ?? 0,
      }));
      if (split.matches !== undefined) {
        const expressible = split.matches.filter((m) => repeatedHeaderNames(m).length === 0);
        if (expressible.length === 0) continue;
        http.push({ name: resourceName('smi', split.ref.name, String(plan.port ?? 'all')), match: expressible.map((m) => matchRequest(m, plan.port)), route });
      } else {
        const portMatch = plan.port !== undefined ? { match: [{ port: plan.port }] } : {};
        http.push({ name: resourceName('smi', split.ref.name, String(plan.port ?? 'all')), ...portMatch, route });
        tcp.push({ ...portMatch, route });
      }
    }
    for (const m of (split.matches ?? []).filter((x) => repeatedHeaderNames(x).length > 0)) {
      report(split.ref, 'error', 'ISTIO_SPLIT_MATCH_NARROWED', `${label}: ${repeatedHeadersReason(m, "Istio's VirtualService (headers keyed by name)")}; it is left out, so its requests go to the root service instead of being split`);
    }
    if (split.unresolvedMatches.length > 0) report(split.ref, 'warning', 'SMI_RULE_UNRESOLVED', `${label}: ${split.unresolvedMatches.join('; ')}; those matches are left out`);
    if (http.length === 0 && tcp.length === 0) continue;
    // Everything else goes to the root service itself, as SMI says for requests outside the matches.
    http.push({ name: 'smi-default', route: [{ destination: { host: rootHost } }] });
    out.push({
      apiVersion: NETWORKING_API, kind: 'VirtualService',
      metadata: meta('istio', resourceName('smi', split.ref.name), split.namespace, [split.ref]),
      spec: { hosts: [rootHost], http, ...(tcp.length > 0 ? { tcp: [...tcp, { route: [{ destination: { host: rootHost } }] }] } : {}) },
    });
  }
  return out;
}
