/**
 * SMI HTTPRouteGroup matches → Gateway API HTTPRouteMatches, exactly.
 *
 * SMI's pathRegex is anchored at the start of the path only, a string prefix; Gateway API's
 * PathPrefix is element-wise ("/api" does not match "/apix", and a trailing "/" is ignored), so it
 * is never used except for "/" (every path). Exact literals (`/x$`) become Exact; everything else a
 * RegularExpression written as `^(?:R).*$`: anchored at both ends it means the same whether the
 * implementation searches or matches the whole path (Gateway API leaves the dialect and anchoring to
 * the implementation; the pattern is RE2 syntax, validated by smi, which Envoy-based meshes such as
 * Istio use as is and Linkerd's Rust regex engine reads alike). Header values likewise, with Exact
 * for literal exact values. A match has one method: several SMI methods become several matches.
 */
import type { CompiledMatch } from '../../policy/model.js';
import { regexForms } from '../../policy/regex-forms.js';
import type { HTTPHeaderMatch, HTTPMethod, HTTPPathMatch, HTTPRouteMatch } from './types.js';
import { repeatedHeaderNames } from '../header-conditions.js';

/** Anchored at both ends, so the meaning does not depend on whether the engine anchors. */
export const anchoredRegex = (smiRegex: string): string => `^(?:${smiRegex}).*$`;

/** The CEL rules the HTTPRoute CRD puts on Exact and PathPrefix values. */
const VALID_PATH = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;
function exactPathAllowed(value: string): boolean {
  return value.startsWith('/') && VALID_PATH.test(value) && !/\/\/|\/\.\/|\/\.\.\/|%2f|#/i.test(value) && !value.endsWith('/..') && !value.endsWith('/.');
}

function pathMatch(regex: string | undefined): HTTPPathMatch | undefined {
  const forms = regexForms(regex);
  if (forms.kind === 'any' || regex === undefined) return undefined;
  if (forms.kind === 'literals' && forms.forms.length === 1 && forms.forms[0]!.kind === 'exact' && exactPathAllowed(forms.forms[0]!.value)) {
    return { type: 'Exact', value: forms.forms[0]!.value };
  }
  return { type: 'RegularExpression', value: anchoredRegex(regex) };
}

function headerMatch(name: string, regex: string): HTTPHeaderMatch {
  const forms = regexForms(regex);
  if (forms.kind === 'literals' && forms.forms.length === 1 && forms.forms[0]!.kind === 'exact' && forms.forms[0]!.value !== '') {
    return { type: 'Exact', name, value: forms.forms[0]!.value };
  }
  return { type: 'RegularExpression', name, value: anchoredRegex(regex) };
}

/**
 * The Gateway API matches (OR'ed) that mean exactly this SMI match; none when it cannot be said
 * (a header with two regexes: Gateway API reads only the first entry of a name). Callers report that.
 */
export function gatewayMatches(match: CompiledMatch): HTTPRouteMatch[] {
  if (repeatedHeaderNames(match).length > 0) return [];
  const path = pathMatch(match.pathRegex);
  const headers = match.headers.map((h) => headerMatch(h.name, h.regex));
  const base: HTTPRouteMatch = { path: path ?? { type: 'PathPrefix', value: '/' }, ...(headers.length > 0 ? { headers } : {}) };
  if (match.methods === undefined) return [base];
  return [...match.methods].sort().map((method) => ({ ...base, method: method as HTTPMethod }));
}

/** A key equal for matches that select the same requests by construction. */
export function matchKey(match: CompiledMatch): string {
  return JSON.stringify(gatewayMatches(match));
}

export const CATCH_ALL: HTTPRouteMatch = { path: { type: 'PathPrefix', value: '/' } };
