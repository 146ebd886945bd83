/**
 * SMI regexes run on Envoy, which speaks RE2: lookarounds, backreferences and possessive quantifiers
 * do not exist there. re2js is a faithful port of RE2's parser and matcher, so what it accepts is
 * what the meshes accept, and matching here agrees with matching there.
 */
import { RE2JS } from 're2js';
import { PatternCache } from './pattern-cache.js';

export type Re2Check = { ok: true } | { ok: false; message: string; offset: number };

const checked = new PatternCache<Re2Check>(4_000_000);

/** Checks RE2 syntax; on failure gives the 0-based offset of the offending part of the pattern. */
export function checkRe2(pattern: string): Re2Check {
  const cached = checked.get(pattern);
  if (cached) return cached;
  let result: Re2Check;
  try {
    RE2JS.compile(pattern);
    result = { ok: true };
  } catch (error) {
    const e = error as { getDescription?: () => string; getPattern?: () => string; message?: string };
    const fragment = e.getPattern?.() ?? '';
    const description = e.getDescription?.() ?? String(e.message ?? error);
    const at = fragment === '' ? -1 : pattern.indexOf(fragment);
    result = { ok: false, message: fragment ? `${description}: \`${fragment}\`` : description, offset: Math.max(0, at) };
  }
  checked.set(pattern, result);
  return result;
}

/** A compiled matcher: true when the pattern matches at the start of the input (SMI's anchoring). */
export type PrefixMatcher = (input: string) => boolean;

const ANYTHING = /^(?:\.\*)+$/;
const LITERAL = /^[A-Za-z0-9/_\-~%:@!,;=&' ]*$/;

/**
 * Compiles a pattern anchored at the start of the input, like `^(?:pattern)`. Literal patterns and
 * `.*` take a shortcut; everything else runs on RE2. Throws on invalid syntax (check first).
 */
export function compileStartAnchored(pattern: string): PrefixMatcher {
  if (pattern === '' || ANYTHING.test(pattern)) return () => true;
  if (LITERAL.test(pattern)) return (input) => input.startsWith(pattern);
  const re = RE2JS.compile(pattern);
  return (input) => re.matcher(input).lookingAt();
}
