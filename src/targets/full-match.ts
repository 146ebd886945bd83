/** RE2 full-match, as Envoy applies `safe_regex` (the whole value must match). Cached per pattern. */
import { RE2JS } from 're2js';
import { PatternCache } from '../api/pattern-cache.js';

const cache = new PatternCache<RE2JS | null>(4_000_000);

export function re2FullMatch(pattern: string, value: string): boolean {
  let re = cache.get(pattern);
  if (re === undefined) {
    try {
      re = RE2JS.compile(pattern);
    } catch {
      re = null; // an invalid regex matches nothing, as Envoy rejects the config
    }
    cache.set(pattern, re);
  }
  return re !== null && re.matches(value);
}
