/**
 * Header conditions for meshes whose matches hold one condition per header name: Gateway API (and so
 * Linkerd's HTTPRoute) considers only the first entry of a repeated name, and Istio's VirtualService
 * keys headers by name. SMI ANDs repeated names (OSM's list form can name a header twice), and two
 * regexes on one header cannot be merged into one RE2 regex: such a match is left out, never widened.
 */
import type { CompiledMatch } from '../policy/model.js';

/** Header names a match constrains with more than one regex (identical repeats are already merged). */
export function repeatedHeaderNames(match: CompiledMatch): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const h of match.headers) (seen.has(h.name) ? repeated : seen).add(h.name);
  return [...repeated].sort();
}

/** The diagnostic text for a match left out for that reason. */
export function repeatedHeadersReason(match: CompiledMatch, mesh: string): string {
  return `match ${match.group.name}/${match.name} requires header ${repeatedHeaderNames(match).join(', ')} to match two regexes, and ${mesh} takes one condition per header name`;
}
