/**
 * route(model, request): where a request to a root service goes — the TrafficSplit that applies and
 * the share of each backend (shares sum to 1), following the spec's rules on ports and matches.
 */
import { provenanceLabel, type PolicyModel, type Provenance, type SplitPolicy } from './model.js';
import { matchesRequest } from './http-match.js';
import type { RouteRequest } from './request.js';
import type { Service } from './inventory.js';

export interface BackendShare {
  /** namespace/name of the Service that receives this share. */
  readonly service: string;
  readonly share: number;
  /** The weight behind the share (for the root service when no split applies: 1). */
  readonly weight: number;
}

export interface RouteResult {
  /** The split that applied, if any. */
  readonly split?: Provenance;
  /** Empty only when no Service can take the request (the root service lacks the port). */
  readonly backends: readonly BackendShare[];
  readonly reasons: readonly string[];
}

function toRoot(root: string, reasons: string[], split?: Provenance): RouteResult {
  return { ...(split ? { split } : {}), backends: [{ service: root, share: 1, weight: 1 }], reasons };
}

function hasPort(service: Service, port: number | undefined, root: Service): boolean {
  if (port !== undefined) return service.ports.some((p) => p.port === port);
  return service.ports.some((p) => root.ports.some((r) => r.port === p.port));
}

export function route(model: PolicyModel, request: RouteRequest): RouteResult {
  const rootKey = `${request.service.namespace}/${request.service.name}`;
  const rootService = model.inventory.services.get(rootKey);
  const reasons: string[] = [];
  if (rootService && request.port !== undefined && !rootService.ports.some((p) => p.port === request.port)) {
    return { backends: [], reasons: [`Service ${rootKey} has no port ${request.port} (it has ${rootService.ports.map((p) => p.port).join(', ') || 'none'})`] };
  }
  const split: SplitPolicy | undefined = model.splits.get(rootKey);
  if (!split) return toRoot(rootKey, [`no TrafficSplit names ${rootKey} as its service; the root service serves the request`]);

  const label = provenanceLabel(split.ref);
  if (split.matches !== undefined) {
    if (request.protocol !== 'http' || !request.http) {
      return toRoot(rootKey, [`${label} splits only HTTP requests fitting its matches; this ${request.protocol} traffic goes to the root service`], split.ref);
    }
    const http = request.http;
    const fitting = split.matches.find((m) => matchesRequest(m, http));
    if (!fitting) {
      const unresolved = split.unresolvedMatches.length > 0 ? ` (${split.unresolvedMatches.join('; ')})` : '';
      return toRoot(rootKey, [`the request fits none of ${label}'s matches${unresolved}; it goes to the root service`], split.ref);
    }
    reasons.push(`the request fits match ${fitting.name} of HTTPRouteGroup ${fitting.group.name}`);
  }

  const shares = distribute(model, split, request.port);
  reasons.push(...shares.reasons);
  if (shares.backends.length === 0) {
    return toRoot(rootKey, [...reasons, `no backend of ${label} can take the request; the root service serves it`], split.ref);
  }
  return { split: split.ref, backends: shares.backends, reasons: [`${label} splits ${rootKey}`, ...reasons] };
}

/**
 * The backends of a split that can take traffic on a root-service port (any shared port when
 * undefined) and their shares; empty when none can.
 */
export function distribute(model: PolicyModel, split: SplitPolicy, port: number | undefined): { backends: BackendShare[]; reasons: string[] } {
  const rootKey = `${split.namespace}/${split.service}`;
  const rootService = model.inventory.services.get(rootKey);
  const reasons: string[] = [];
  const eligible: { service: string; weight: number }[] = [];
  for (const b of split.backends) {
    const key = `${split.namespace}/${b.service}`;
    if (b.weight === 0) {
      reasons.push(`backend ${b.service} has weight 0`);
      continue;
    }
    if (rootService) {
      const backend = model.inventory.services.get(key);
      if (!backend) {
        reasons.push(`backend Service ${key} is not in the input, so it shares no port with ${rootKey} and gets nothing`);
        continue;
      }
      if (!hasPort(backend, port, rootService)) {
        reasons.push(`backend ${b.service} has no port ${port ?? 'in common with the root service'}, so it gets nothing (spec: Ports)`);
        continue;
      }
    }
    const existing = eligible.find((e) => e.service === key);
    if (existing) existing.weight += b.weight;
    else eligible.push({ service: key, weight: b.weight });
  }
  if (!rootService) reasons.push(`Service ${rootKey} is not in the input: ports were not checked`);
  const total = eligible.reduce((sum, e) => sum + e.weight, 0);
  return { backends: total === 0 ? [] : eligible.map((e) => ({ service: e.service, weight: e.weight, share: e.weight / total })), reasons };
}
