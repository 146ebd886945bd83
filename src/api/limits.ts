/**
 * Bounds on what one SMI object may ask smi to compile. A regex is compiled by every webhook review,
 * validation and translation, and smi's servers run in small pods: one object must not be able to
 * cost seconds or hundreds of megabytes (a 2 MB alternation did). The bounds are far above what a
 * route needs (OSM's and the field's longest regexes are under 100 characters), are in the CRDs'
 * schema (maxLength), and are checked again by validation, so a cluster without the webhook refuses
 * them too.
 */

/** One pathRegex or header regex, in characters. */
export const MAX_REGEX_LENGTH = 4096;

/** A header name, in characters. */
export const MAX_HEADER_NAME_LENGTH = 256;

/** All regexes of one HTTPRouteGroup together, in characters. */
export const MAX_REGEX_TEXT_PER_OBJECT = 65_536;

/** What one regex may compile to, in RE2 instructions (estimated: re2ProgramSize). */
export const MAX_REGEX_PROGRAM = 10_000;

/** What all regexes of one HTTPRouteGroup may compile to together. */
export const MAX_REGEX_PROGRAM_PER_OBJECT = 100_000;

/** Matches in one HTTPRouteGroup. */
export const MAX_MATCHES = 1024;

/** A pattern as messages show it: never more than a few lines, however long it is. */
export function shownPattern(pattern: string, around?: number): string {
  const LIMIT = 120;
  if (pattern.length <= LIMIT) return pattern;
  const start = around === undefined ? 0 : Math.max(0, Math.min(pattern.length - LIMIT, around - LIMIT / 2));
  return `${start > 0 ? '…' : ''}${pattern.slice(start, start + LIMIT)}${start + LIMIT < pattern.length ? '…' : ''} (${pattern.length} characters)`;
}
