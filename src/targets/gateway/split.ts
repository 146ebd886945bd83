/**
 * TrafficSplits → Gateway API routes for the mesh (GAMMA): per root-service port, an HTTPRoute whose
 * parentRef is the root Service on that port, with weighted backendRefs to the backends that have the
 * port (a backend without it gets nothing, per the spec). v1alpha4 matches become the rule's matches,
 * followed by a catch-all rule back to the root Service itself (SMI: requests outside the matches go
 * to the root). Without matches, a TCPRoute carries the same weights for non-HTTP traffic.
 * Used by the gateway-api target and by the Linkerd target (Linkerd routes with the same resources).
 */
import { provenanceLabel, type PolicyModel, type SplitPolicy } from '../../policy/model.js';
import { splitPortPlans } from '../split-plan.js';
import { chunk } from '../chunk.js';
import { capWeights } from '../weights.js';
import { meta, resourceName } from '../naming.js';
import type { Report } from '../diagnostics.js';
import type { MeshResource } from '../target.js';
import { CATCH_ALL, gatewayMatches } from './matches.js';
import { repeatedHeaderNames, repeatedHeadersReason } from '../header-conditions.js';
import { HTTP_ROUTE_API, type HTTPBackendRef, type HTTPRouteMatch, type HTTPRouteRule } from './types.js';


export interface SplitRouteOptions {
  /** The smi-spec.io/mesh label value. */
  readonly mesh: string;
  /** Diagnostic code prefix, e.g. GATEWAY or LINKERD. */
  readonly codePrefix: string;
  readonly tcpRouteApi: string;
}

const MAX_WEIGHT = 1_000_000;
const MATCHES_PER_RULE = 64;
const MATCHES_PER_ROUTE = 126; // fewer than 128 in all, with the catch-all

function splitMatches(split: SplitPolicy): HTTPRouteMatch[] {
  const seen = new Set<string>();
  const out: HTTPRouteMatch[] = [];
  for (const m of split.matches ?? []) {
    for (const g of gatewayMatches(m)) {
      const key = JSON.stringify(g);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(g);
    }
  }
  return out;
}

export function translateSplitRoutes(model: PolicyModel, report: Report, options: SplitRouteOptions): MeshResource[] {
  const out: MeshResource[] = [];
  const splits = [...model.splits.values()].sort((a, b) => `${a.namespace}/${a.service}`.localeCompare(`${b.namespace}/${b.service}`));
  for (const split of splits) {
    const label = provenanceLabel(split.ref);
    if (split.unresolvedMatches.length > 0) report(split.ref, 'warning', 'SMI_RULE_UNRESOLVED', `${label}: ${split.unresolvedMatches.join('; ')}; those matches are left out`);
    const plans = splitPortPlans(model, split);
    if (plans.some((p) => p.port === undefined)) {
      report(split.ref, 'error', `${options.codePrefix}_SPLIT_NOT_EXPRESSED`,
        `${label}: the root Service ${split.namespace}/${split.service} is not in the input, and Gateway API routes attach to a Service port and name a port on every backend. Nothing is emitted for this split; add the Service manifests to the input`);
      continue;
    }
    for (const m of (split.matches ?? []).filter((x) => repeatedHeaderNames(x).length > 0)) {
      report(split.ref, 'error', `${options.codePrefix}_SPLIT_MATCH_NARROWED`, `${label}: ${repeatedHeadersReason(m, 'Gateway API')}; it is left out, so its requests go to the root Service ${split.namespace}/${split.service} instead of being split`);
    }
    const matches = split.matches === undefined ? undefined : splitMatches(split);
    if (matches !== undefined && matches.length === 0) continue; // no match can fit: everything goes to the root
    for (const plan of plans) {
      const port = plan.port as number;
      if (plan.backends.length === 0) continue; // no backend has this port: the root serves it
      const capped = capWeights(plan.backends.map((b) => b.weight), MAX_WEIGHT);
      if (capped.maxError > 1e-9) {
        report(split.ref, 'warning', `${options.codePrefix}_WEIGHT_ROUNDED`, `${label} port ${port}: Gateway API weights are at most ${MAX_WEIGHT}; scaled down, shares move by up to ${capped.maxError.toFixed(4)} points`);
      }
      const backendRefs: HTTPBackendRef[] = plan.backends.map((b, i) => ({ name: b.service.split('/')[1] ?? b.service, port, weight: capped.weights[i] ?? 0 }));
      const parentRefs = [{ group: '', kind: 'Service', name: split.service, port }];
      const base = resourceName('smi', split.ref.name, String(port));
      if (matches === undefined) {
        out.push({ apiVersion: HTTP_ROUTE_API, kind: 'HTTPRoute', metadata: meta(options.mesh, base, split.namespace, [split.ref]), spec: { parentRefs, rules: [{ backendRefs }] } });
        out.push({ apiVersion: options.tcpRouteApi, kind: 'TCPRoute', metadata: meta(options.mesh, base, split.namespace, [split.ref]), spec: { parentRefs, rules: [{ backendRefs: backendRefs.map((b) => ({ ...b })) }] } });
        continue;
      }
      const groups = chunk(matches, MATCHES_PER_ROUTE);
      groups.forEach((group, i) => {
        const rules: HTTPRouteRule[] = chunk(group, MATCHES_PER_RULE).map((m) => ({ matches: m, backendRefs: backendRefs.map((b) => ({ ...b })) }));
        // Everything else stays with the root Service: the least specific rule, last, and only once.
        if (i === groups.length - 1) rules.push({ matches: [CATCH_ALL], backendRefs: [{ name: split.service, port }] });
        out.push({ apiVersion: HTTP_ROUTE_API, kind: 'HTTPRoute', metadata: meta(options.mesh, groups.length > 1 ? resourceName(base, String(i)) : base, split.namespace, [split.ref]), spec: { parentRefs, rules } });
      });
    }
  }
  return out;
}
