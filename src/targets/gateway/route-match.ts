/**
 * How a Gateway API implementation picks the rule for an HTTP request — written from the Gateway API
 * spec (HTTPRouteMatch, HTTPPathMatch, HTTPRouteRule "precedence"), not from how smi writes routes.
 *
 * - PathPrefix is element-wise: "/abc" matches "/abc" and "/abc/def", not "/abcd"; a trailing "/" in
 *   the value is ignored. Exact is the whole path. RegularExpression is implementation-specific: here
 *   an RE2 match of the whole path (Envoy); smi's patterns are anchored at both ends, so an engine
 *   that searches instead gives the same answer.
 * - Headers: names case-insensitive; Exact or RegularExpression on the value; a missing header fails.
 * - Within a match everything must fit; the matches of a rule are OR'ed; no matches = PathPrefix "/".
 * - Precedence across all rules of all routes: Exact path, then the longest PathPrefix, then method,
 *   then the most header matches, then the most query parameter matches; ties go to the oldest route,
 *   then {namespace}/{name} alphabetically, then the first rule. Where regex paths rank is left to
 *   implementations: here between Exact and PathPrefix, as Istio and Linkerd order them.
 */
import type { HttpRequestParts } from '../../policy/request.js';
import { re2FullMatch } from '../full-match.js';
import type { MeshResource } from '../target.js';
import type { ResourceOf } from '../resource-kind.js';
import type { HTTPHeaderMatch, HTTPPathMatch, HTTPRouteMatch, HTTPRouteRule } from './types.js';

function pathFits(path: HTTPPathMatch | undefined, value: string): boolean {
  const type = path?.type ?? 'PathPrefix';
  const want = path?.value ?? '/';
  if (type === 'Exact') return value === want;
  if (type === 'RegularExpression') return re2FullMatch(want, value);
  const prefix = want.replace(/\/+$/, '');
  if (prefix === '') return true;
  return value === prefix || value.startsWith(`${prefix}/`);
}

function headerFits(h: HTTPHeaderMatch, headers: ReadonlyMap<string, string>): boolean {
  const value = headers.get(h.name.toLowerCase());
  if (value === undefined) return false;
  return (h.type ?? 'Exact') === 'Exact' ? value === h.value : re2FullMatch(h.value, value);
}

export function matchFits(m: HTTPRouteMatch, request: HttpRequestParts): boolean {
  if (m.method !== undefined && m.method !== request.method) return false;
  if (!pathFits(m.path, request.path)) return false;
  // Gateway API: "If multiple entries specify equivalent header names, only the first entry with an
  // equivalent name MUST be considered for a match."
  const seen = new Set<string>();
  return (m.headers ?? []).every((h) => {
    const name = h.name.toLowerCase();
    if (seen.has(name)) return true;
    seen.add(name);
    return headerFits(h, request.headers);
  });
}

/** Larger is more specific, compared element by element. */
function rank(m: HTTPRouteMatch): number[] {
  const type = m.path?.type ?? 'PathPrefix';
  const pathRank = type === 'Exact' ? 3 : type === 'RegularExpression' ? 2 : 1;
  const prefixLength = type === 'PathPrefix' ? (m.path?.value ?? '/').length : 0;
  return [pathRank, prefixLength, m.method !== undefined ? 1 : 0, m.headers?.length ?? 0, m.queryParams?.length ?? 0];
}

function compareRank(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (b[i] ?? 0) - (a[i] ?? 0);
  return 0;
}

export interface PickedRule<R extends { matches?: HTTPRouteMatch[] } = HTTPRouteRule> {
  readonly route: ResourceOf<{ rules?: R[] }>;
  readonly rule: R;
  readonly ruleIndex: number;
}

const routeOrder = (a: MeshResource, b: MeshResource) =>
  (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
  `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`);

/** The one rule that takes the request, or undefined when no rule of these routes matches it. */
export function pickRule<R extends { matches?: HTTPRouteMatch[] }>(routes: readonly ResourceOf<{ rules?: R[] }>[], request: HttpRequestParts): PickedRule<R> | undefined {
  let best: { picked: PickedRule<R>; rank: number[] } | undefined;
  for (const route of [...routes].sort(routeOrder)) {
    const rules = route.spec?.rules ?? [];
    rules.forEach((rule, ruleIndex) => {
      const matches = rule.matches && rule.matches.length > 0 ? rule.matches : [{ path: { type: 'PathPrefix', value: '/' } } as HTTPRouteMatch];
      for (const m of matches) {
        if (!matchFits(m, request)) continue;
        const r = rank(m);
        // Strictly better only: on a tie the earlier route (and rule) keeps precedence.
        if (!best || compareRank(r, best.rank) < 0) best = { picked: { route, rule, ruleIndex }, rank: r };
      }
    });
  }
  return best?.picked;
}
