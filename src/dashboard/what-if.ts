/**
 * The dashboard's what-if (pure): SMI's answer to an access request beside each selected mesh's, as
 * that mesh would decide with the translated resources (and with its NetworkPolicy fence where one is
 * asked for), with the reasons and whether they differ.
 */
import { decide } from '../policy/decide.js';
import { route } from '../policy/route.js';
import { workloadsOf } from '../policy/inventory.js';
import { provenanceLabel, provenanceWhere, type PolicyModel } from '../policy/model.js';
import type { AccessRequest, RouteRequest } from '../policy/request.js';
import type { Target, TranslateOptions, Translation } from '../targets/target.js';

export interface MeshSide {
  readonly target: Target;
  readonly options: TranslateOptions;
  readonly translation: Translation;
}

export interface MeshAnswer {
  readonly mesh: string;
  readonly fenced: boolean;
  /** ALLOW, DENY, ALLOW (not enforced), or n/a with why. */
  readonly answer: string;
  readonly differs: boolean;
  readonly reasons: readonly string[];
}

export interface WhatIf {
  readonly smi: { readonly allowed: boolean; readonly reasons: readonly string[] };
  readonly meshes: readonly MeshAnswer[];
}

export function whatIf(model: PolicyModel, request: AccessRequest, sides: readonly MeshSide[]): WhatIf {
  const smi = decide(model, request);
  const workloads = workloadsOf(model.inventory, request.destination.namespace, request.destination.name);
  const meshes = sides.map(({ target, options, translation }): MeshAnswer => {
    const fenced = options.fence !== undefined;
    if (workloads.length === 0) return { mesh: target.name, fenced, answer: 'n/a', differs: false, reasons: ['no workload in the input runs as the destination: a mesh decides at its pods'] };
    const decisions = workloads.map((w) => ({ w, d: target.evaluateAccess(translation.resources, w, request, options, { inventory: model.inventory }) }));
    const unanswerable = decisions.find((x) => x.d.unanswerable !== undefined);
    if (unanswerable) return { mesh: target.name, fenced, answer: 'n/a', differs: false, reasons: [unanswerable.d.unanswerable ?? ''] };
    const allowed = decisions.every((x) => x.d.allowed);
    const enforced = decisions.every((x) => x.d.enforced);
    return {
      mesh: target.name, fenced,
      answer: allowed ? (enforced ? 'ALLOW' : 'ALLOW (not enforced)') : 'DENY',
      differs: allowed !== smi.allowed || !enforced,
      reasons: decisions.flatMap((x) => x.d.reasons.map((r) => `${x.w.kind}/${x.w.name}: ${r}`)),
    };
  });
  return { smi: { allowed: smi.allowed, reasons: smi.reasons.map((r) => r.message) }, meshes };
}

export interface Backends {
  readonly backends: readonly { readonly service: string; readonly share: number }[];
  readonly reasons: readonly string[];
}

export interface RouteWhatIf {
  readonly smi: Backends & { readonly split?: string };
  readonly meshes: readonly (Backends & { readonly mesh: string; readonly differs: boolean })[];
}

/** Shares to a tenth of a percent: meshes that take integer weights (Istio's sum to 100) round. */
const shares = (b: Backends['backends']) => b.map((x) => `${x.service} ${(x.share * 100).toFixed(1)}`).sort().join(', ');

/** Where a request to a root Service goes: SMI's backends and shares beside each mesh's. */
export function routeWhatIf(model: PolicyModel, request: RouteRequest, sides: readonly MeshSide[]): RouteWhatIf {
  // Without a port, the root service's only one (as `smi route` does).
  const root = model.inventory.services.get(`${request.service.namespace}/${request.service.name}`);
  const asked = request.port === undefined && root?.ports.length === 1 ? { ...request, port: root.ports[0]!.port } : request;
  const smi = route(model, asked);
  // The fence decides access, not routes: a mesh shown bare and fenced routes once.
  const once = sides.filter((s, i) => sides.findIndex((o) => o.target.name === s.target.name) === i);
  const meshes = once.map(({ target, options, translation }) => {
    const m = target.evaluateRoute(translation.resources, asked, options);
    return { mesh: target.name, backends: m.backends, reasons: m.reasons, differs: shares(m.backends) !== shares(smi.backends) };
  });
  return { smi: { backends: smi.backends, reasons: smi.reasons, ...(smi.split ? { split: `${provenanceLabel(smi.split)} [${provenanceWhere(smi.split)}]` } : {}) }, meshes };
}
