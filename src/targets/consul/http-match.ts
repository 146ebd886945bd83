/**
 * SMI HTTPRouteGroup matches ↔ Consul HTTP matches (intention permissions and router routes).
 * SMI regexes are anchored at the start only; Envoy matches Consul's regexes against the whole
 * path or value, so a regex R is written `(?:R).*`. Literal prefixes and exact strings use
 * pathPrefix / pathExact (string prefix, as SMI means) where Consul accepts them.
 */
import type { CompiledMatch } from '../../policy/model.js';
import type { HttpRequestParts } from '../../policy/request.js';
import { regexForms } from '../../policy/regex-forms.js';
import { re2FullMatch } from '../full-match.js';
import type { ConsulHeaderMatch, ConsulHttpMatch } from './types.js';

export const fullMatchRegex = (smiRegex: string): string => `(?:${smiRegex}).*`;

/** Every HTTP request: Consul rejects an empty HTTP match, and every request path starts with "/". */
export const ANY_HTTP: ConsulHttpMatch = { pathPrefix: '/' };

function pathMatch(regex: string | undefined): ConsulHttpMatch {
  const forms = regexForms(regex);
  if (regex === undefined || forms.kind === 'any') return {};
  if (forms.kind === 'literals' && forms.forms.length === 1 && forms.forms[0]!.value.startsWith('/')) {
    const f = forms.forms[0]!;
    return f.kind === 'exact' ? { pathExact: f.value } : { pathPrefix: f.value };
  }
  return { pathRegex: fullMatchRegex(regex) };
}

function headerMatch(name: string, regex: string): ConsulHeaderMatch {
  const forms = regexForms(regex);
  if (forms.kind === 'any') return { name, present: true };
  if (forms.kind === 'literals' && forms.forms.length === 1 && forms.forms[0]!.value !== '') {
    const f = forms.forms[0]!;
    return f.kind === 'exact' ? { name, exact: f.value } : { name, prefix: f.value };
  }
  return { name, regex: fullMatchRegex(regex) };
}

/** The Consul match that selects exactly the requests this SMI match selects. */
export function consulMatch(match: CompiledMatch): ConsulHttpMatch {
  const out: ConsulHttpMatch = { ...pathMatch(match.pathRegex) };
  if (match.methods) out.methods = [...match.methods].sort();
  if (match.headers.length > 0) out.header = match.headers.map((h) => headerMatch(h.name, h.regex));
  return Object.keys(out).length > 0 ? out : { ...ANY_HTTP };
}

function headerFits(h: ConsulHeaderMatch, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (h.exact !== undefined) return value === h.exact;
  if (h.prefix !== undefined) return value.startsWith(h.prefix);
  if (h.regex !== undefined) return re2FullMatch(h.regex, value);
  return h.present === true;
}

/** Whether Consul (Envoy) takes a request as fitting a match: every condition must hold. */
export function consulMatchFits(m: ConsulHttpMatch, request: HttpRequestParts): boolean {
  if (m.pathExact !== undefined && request.path !== m.pathExact) return false;
  if (m.pathPrefix !== undefined && !request.path.startsWith(m.pathPrefix)) return false;
  if (m.pathRegex !== undefined && !re2FullMatch(m.pathRegex, request.path)) return false;
  if (m.methods !== undefined && m.methods.length > 0 && !m.methods.includes(request.method)) return false;
  return (m.header ?? []).every((h) => headerFits(h, request.headers.get(h.name.toLowerCase())));
}
