/**
 * HTTPRouteGroup matches: compiled once, evaluated per request. Semantics (docs/semantics.md):
 * pathRegex is anchored at the start of the path; header regexes are anchored at the start of the
 * value; a missing header never matches; conditions within a match AND; matches OR.
 */
import { compileStartAnchored } from '../api/re2.js';
import type { HTTPRouteGroup } from '../api/specs/v1alpha4.js';
import { headerEntries } from '../api/specs/headers.js';
import type { CompiledMatch, Provenance } from './model.js';
import type { HttpRequestParts } from './request.js';

type Match = HTTPRouteGroup['spec']['matches'][number];

const ANY = (): boolean => true;

export function compileMatch(group: Provenance, match: Match): CompiledMatch {
  const methods = match.methods === undefined || match.methods.includes('*') ? undefined : new Set<string>(match.methods);
  return {
    group,
    name: match.name,
    ...(match.pathRegex !== undefined ? { pathRegex: match.pathRegex } : {}),
    path: match.pathRegex === undefined ? ANY : compileStartAnchored(match.pathRegex),
    ...(methods ? { methods } : {}),
    headers: uniqueHeaders(match).map(({ name, regex }) => ({ name, regex, matches: compileStartAnchored(regex) })),
  };
}

/**
 * Header conditions in either written form (map, or OSM's list of maps), names lower-cased; a
 * condition repeated verbatim is kept once. A name with two different regexes stays twice: both must match.
 */
function uniqueHeaders(match: Match): { name: string; regex: string }[] {
  const seen = new Set<string>();
  const out: { name: string; regex: string }[] = [];
  for (const e of headerEntries(match.headers)) {
    const h = { name: e.name.toLowerCase(), regex: e.regex };
    const key = JSON.stringify(h);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(h);
  }
  return out;
}

export function matchesRequest(match: CompiledMatch, request: HttpRequestParts): boolean {
  if (match.methods !== undefined && !match.methods.has(request.method)) return false;
  if (!match.path(request.path)) return false;
  for (const h of match.headers) {
    const value = request.headers.get(h.name);
    if (value === undefined || !h.matches(value)) return false;
  }
  return true;
}

/** Why a match does not fit a request, in words; undefined when it fits. */
export function mismatch(match: CompiledMatch, request: HttpRequestParts): string | undefined {
  if (match.methods !== undefined && !match.methods.has(request.method)) {
    return `method ${request.method} is not one of ${[...match.methods].join(', ')}`;
  }
  if (!match.path(request.path)) return `path ${request.path} does not match ^${match.pathRegex ?? ''}`;
  for (const h of match.headers) {
    const value = request.headers.get(h.name);
    if (value === undefined) return `header ${h.name} is absent (it must match ^${h.regex})`;
    if (!h.matches(value)) return `header ${h.name}: ${JSON.stringify(value)} does not match ^${h.regex}`;
  }
  return undefined;
}

/** A one-line description of a match, for tables and graphs. */
export function describeMatch(match: CompiledMatch): string {
  const parts = [match.methods ? [...match.methods].join(',') : '*', match.pathRegex !== undefined ? `^${match.pathRegex}` : '(any path)'];
  for (const h of match.headers) parts.push(`${h.name}=~^${h.regex}`);
  return parts.join(' ');
}
