/**
 * SMI HTTPRouteGroup matches ↔ App Mesh HTTP route matches. A route has one method, so a match with
 * several methods becomes several routes. Paths: `prefix` for literal prefixes (a string prefix, as
 * SMI means), `path.exact` for `/x$`, else `path.regex`; header values likewise; regexes are written
 * `^(?:R).*$`, the same whether App Mesh's Envoy matches whole values or searches.
 */
import type { CompiledMatch } from '../../policy/model.js';
import type { HttpRequestParts } from '../../policy/request.js';
import { regexForms } from '../../policy/regex-forms.js';
import { re2FullMatch } from '../full-match.js';
import { anchoredRegex } from '../gateway/matches.js';
import type { HeaderMatch, HttpRouteMatch } from './types.js';

function pathMatch(regex: string | undefined): HttpRouteMatch {
  const forms = regexForms(regex);
  if (regex === undefined || forms.kind === 'any') return { prefix: '/' };
  if (forms.kind === 'literals' && forms.forms.length === 1 && forms.forms[0]!.value.startsWith('/')) {
    const f = forms.forms[0]!;
    return f.kind === 'exact' ? { path: { exact: f.value } } : { prefix: f.value };
  }
  return { path: { regex: anchoredRegex(regex) } };
}

function headerMatch(name: string, regex: string): HeaderMatch {
  const forms = regexForms(regex);
  if (forms.kind === 'any') return { name }; // no match clause: the header must be present
  if (forms.kind === 'literals' && forms.forms.length === 1 && forms.forms[0]!.value !== '') {
    const f = forms.forms[0]!;
    return { name, match: f.kind === 'exact' ? { exact: f.value } : { prefix: f.value } };
  }
  return { name, match: { regex: anchoredRegex(regex) } };
}

/** The App Mesh matches (one per method, OR'ed) that select exactly the requests this SMI match selects. */
export function appMeshMatches(match: CompiledMatch): HttpRouteMatch[] {
  const base: HttpRouteMatch = { ...pathMatch(match.pathRegex), ...(match.headers.length > 0 ? { headers: match.headers.map((h) => headerMatch(h.name, h.regex)) } : {}) };
  if (match.methods === undefined) return [base];
  return [...match.methods].sort().map((method) => ({ ...base, method }));
}

function headerFits(h: HeaderMatch, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (!h.match) return true;
  if (h.match.exact !== undefined) return value === h.match.exact;
  if (h.match.prefix !== undefined) return value.startsWith(h.match.prefix);
  if (h.match.regex !== undefined) return re2FullMatch(h.match.regex, value);
  return true;
}

export function appMeshMatchFits(m: HttpRouteMatch, request: HttpRequestParts): boolean {
  if (m.prefix !== undefined && !request.path.startsWith(m.prefix)) return false;
  if (m.path?.exact !== undefined && request.path !== m.path.exact) return false;
  if (m.path?.regex !== undefined && !re2FullMatch(m.path.regex, request.path)) return false;
  if (m.method !== undefined && m.method !== request.method) return false;
  return (m.headers ?? []).every((h) => headerFits(h, request.headers.get(h.name.toLowerCase())));
}
