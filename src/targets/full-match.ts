/** RE2 full-match, as Envoy applies `safe_regex` (the whole value must match). Cached per pattern. */
import { RE2JS } from 're2js';

const cache = new Map<string, RE2JS | null>();

export function re2FullMatch(pattern: string, value: string): boolean {
  let re = cache.get(pattern);
  if (re === undefined) {
    try {
      re = RE2JS.compile(pattern);
    } catch {
      re = null; // an invalid regex matches nothing, as Envoy rejects the config
    }
    if (cache.size > 50_000) cache.clear();
    cache.set(pattern, re);
  }
  return re !== null && re.matches(value);
}
