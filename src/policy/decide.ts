/**
 * decide(model, request): the reference answer to "may this caller make this request", with the
 * TrafficTarget, rule and match that allowed it, or for each candidate why it did not.
 */
import { identityKey, inScope, provenanceLabel, type PolicyModel, type PortSet, type Provenance, type TargetPolicy } from './model.js';
import { matchesRequest, mismatch } from './http-match.js';
import { UNAUTHENTICATED, type AccessRequest } from './request.js';

export interface Reason {
  /** allow: this granted the request; deny: this is why a candidate did not; mode: the access mode decided; scope: smi does not govern the destination. */
  readonly effect: 'allow' | 'deny' | 'mode' | 'scope';
  readonly target?: Provenance;
  /** The HTTPRouteGroup match or L4 route that granted it. */
  readonly via?: string;
  readonly message: string;
}

export interface Decision {
  readonly allowed: boolean;
  readonly reasons: readonly Reason[];
  /** false when the destination's namespace is outside smi's scope: smi neither allows nor denies there. */
  readonly inScope?: false;
}

function portOk(ports: PortSet, port: number | undefined): boolean {
  return ports === 'all' || (port !== undefined && ports.has(port));
}

function portText(ports: PortSet): string {
  return ports === 'all' ? 'every port' : `port ${[...ports].sort((a, b) => a - b).join(', ')}`;
}

type Verdict = { allowed: true; via: string } | { allowed: false; why: string };

/** How one TrafficTarget judges a request from one of its sources. */
export function judge(target: TargetPolicy, request: AccessRequest): Verdict {
  const port = request.port;
  if (target.legacyPort !== undefined && port !== target.legacyPort) {
    return { allowed: false, why: port === undefined ? `it is limited to destination port ${target.legacyPort} and the request names no port` : `it is limited to destination port ${target.legacyPort}` };
  }
  switch (request.protocol) {
    case 'http': {
      if (target.hasHttpRules) {
        if (target.tcpPorts !== undefined && !portOk(target.tcpPorts, port)) {
          return { allowed: false, why: `its TCPRoute rules limit HTTP to ${portText(target.tcpPorts)}${port === undefined ? ' and the request names no port' : ''}` };
        }
        const http = request.http;
        if (!http) return { allowed: false, why: 'the request has no HTTP method and path' };
        for (const m of target.httpMatches) if (matchesRequest(m, http)) return { allowed: true, via: `HTTPRouteGroup ${m.group.name} match ${m.name}` };
        if (target.httpMatches.length === 0) {
          return { allowed: false, why: `its HTTP rules name no existing match${target.unresolved.length ? ` (${target.unresolved.join('; ')})` : ''}` };
        }
        return { allowed: false, why: target.httpMatches.map((m) => `${m.group.name}/${m.name}: ${mismatch(m, http)}`).join('; ') };
      }
      if (target.tcpPorts !== undefined) {
        return portOk(target.tcpPorts, port)
          ? { allowed: true, via: 'TCPRoute (HTTP is TCP traffic on a granted port)' }
          : { allowed: false, why: `its TCPRoute rules grant ${portText(target.tcpPorts)}` };
      }
      return { allowed: false, why: unresolvedOr(target, 'it has no HTTPRouteGroup or TCPRoute rule') };
    }
    case 'tcp':
      if (target.hasHttpRules) return { allowed: false, why: 'it has HTTP rules, so it allows only HTTP requests that fit them, not raw TCP' };
      if (target.tcpPorts === undefined) return { allowed: false, why: unresolvedOr(target, 'it has no TCPRoute rule') };
      return portOk(target.tcpPorts, port) ? { allowed: true, via: 'TCPRoute' } : { allowed: false, why: `its TCPRoute rules grant ${portText(target.tcpPorts)}` };
    case 'udp':
      if (target.udpPorts === undefined) return { allowed: false, why: unresolvedOr(target, 'it has no UDPRoute rule') };
      return portOk(target.udpPorts, port) ? { allowed: true, via: 'UDPRoute' } : { allowed: false, why: `its UDPRoute rules grant ${portText(target.udpPorts)}` };
  }
}

function unresolvedOr(target: TargetPolicy, text: string): string {
  return target.unresolved.length > 0 ? `${text} that resolves (${target.unresolved.join('; ')})` : text;
}

export function decide(model: PolicyModel, request: AccessRequest): Decision {
  if (!inScope(model, request.destination.namespace)) {
    const ns = request.destination.namespace;
    return {
      allowed: true, inScope: false,
      reasons: [{ effect: 'scope', message: `namespace ${ns} is outside smi's scope (${model.scope.why.get(ns) ?? 'the input does not mention it'}): smi writes nothing there and leaves the decision to the mesh's own configuration` }],
    };
  }
  if (model.mode === 'permissive') {
    return { allowed: true, reasons: [{ effect: 'mode', message: 'permissive mode allows all traffic; TrafficTargets are not enforced' }] };
  }
  const destKey = identityKey(request.destination);
  const destination = model.destinations.get(destKey);
  if (!destination) {
    if (model.mode === 'per-destination' && !model.lockedDown.has(destKey)) {
      return { allowed: true, reasons: [{ effect: 'mode', message: `no TrafficTarget names ServiceAccount ${destKey}; per-destination mode leaves it to the mesh's default, which smi takes as allow` }] };
    }
    const why = model.lockedDown.has(destKey)
      ? `every TrafficTarget naming ServiceAccount ${destKey} is invalid, so nothing is allowed (fail closed)`
      : `no TrafficTarget names ServiceAccount ${destKey}; access is deny-by-default`;
    return { allowed: false, reasons: [{ effect: 'deny', message: why }] };
  }
  if (request.source === UNAUTHENTICATED) {
    return {
      allowed: false,
      reasons: [{ effect: 'deny', message: `the caller has no mesh identity; TrafficTargets allow ServiceAccounts only, and ${destKey} is locked down` }],
    };
  }
  const sourceKey = identityKey(request.source);
  const candidates = destination.bySource.get(sourceKey) ?? [];
  for (const target of candidates) {
    const verdict = judge(target, request);
    if (verdict.allowed) {
      return { allowed: true, reasons: [{ effect: 'allow', target: target.ref, via: verdict.via, message: `${provenanceLabel(target.ref)} allows ${sourceKey} via ${verdict.via}` }] };
    }
  }
  const reasons: Reason[] = destination.targets.map((target) => {
    if (!candidates.includes(target)) {
      return { effect: 'deny', target: target.ref, message: `${provenanceLabel(target.ref)}: ${sourceKey} is not among its sources (${target.sources.map(identityKey).join(', ')})` };
    }
    const verdict = judge(target, request);
    return { effect: 'deny', target: target.ref, message: `${provenanceLabel(target.ref)}: ${verdict.allowed ? 'allows' : verdict.why}` };
  });
  return { allowed: false, reasons };
}
