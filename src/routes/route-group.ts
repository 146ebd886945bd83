/**
 * An HTTPRouteGroup (specs.smi-spec.io/v1alpha4) from API operations (pure): one match per operation,
 * its method and the pathRegex of its template under its base path(s). Operations that cannot be
 * said exactly are left out and reported, never guessed.
 */
import { templateRegex } from './path-template.js';
import type { Operation } from './openapi.js';

export type MatchNames = 'operationId' | 'method-path';

export interface RouteGroupProblem {
  /** error: the operation is left out of the group; warning: it is in, with a caveat. */
  readonly severity: 'error' | 'warning';
  /** Where in the description: paths./pets/{id}.get */
  readonly where: string;
  readonly message: string;
}

export interface GeneratedMatch { name: string; methods: string[]; pathRegex: string }

export interface GeneratedGroup {
  readonly group: { apiVersion: 'specs.smi-spec.io/v1alpha4'; kind: 'HTTPRouteGroup'; metadata: { name: string; namespace: string }; spec: { matches: GeneratedMatch[] } };
  readonly problems: readonly RouteGroupProblem[];
}

/** Lower case letters, digits and dashes: valid as a match name and as part of a Kubernetes name. */
const slug = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');

function nameOf(op: Operation, style: MatchNames): string {
  if (style === 'operationId' && op.operationId && slug(op.operationId) !== '') return slug(op.operationId);
  return slug(`${op.method} ${op.template.replace(/[{}]/g, '')}`) || op.method.toLowerCase();
}

export function routeGroup(operations: readonly Operation[], options: { name: string; namespace: string; matchNames?: MatchNames }): GeneratedGroup {
  const problems: RouteGroupProblem[] = [];
  const matches: GeneratedMatch[] = [];
  const used = new Map<string, number>();
  const sorted = [...operations].sort((a, b) => a.template.localeCompare(b.template) || a.method.localeCompare(b.method));
  for (const op of sorted) {
    const regexes: string[] = [];
    let failed: string | undefined;
    for (const base of op.basePaths) {
      const r = templateRegex(base, op.template, op.parameters);
      if ('error' in r) failed = r.error;
      else regexes.push(r.regex);
    }
    if (failed !== undefined || regexes.length === 0) {
      problems.push({ severity: 'error', where: op.where, message: `left out: ${failed ?? 'no server serves it'}` });
      continue;
    }
    const unique = [...new Set(regexes)];
    let name = nameOf(op, options.matchNames ?? 'operationId');
    const seen = used.get(name) ?? 0;
    used.set(name, seen + 1);
    if (seen > 0) {
      problems.push({ severity: 'warning', where: op.where, message: `match name ${name} is taken: named ${name}-${seen + 1}` });
      name = `${name}-${seen + 1}`;
    }
    matches.push({ name, methods: [op.method], pathRegex: unique.length === 1 ? unique[0]! : `(?:${unique.join('|')})` });
  }
  return { group: { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'HTTPRouteGroup', metadata: { name: options.name, namespace: options.namespace }, spec: { matches } }, problems };
}
