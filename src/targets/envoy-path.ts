/**
 * What Envoy does to a request path before its filters and routes see it, for the meshes that run it
 * with path normalisation on. Modelled from Envoy's own code (source/common/http/path_utility.cc
 * and its snapshot of Chromium's path canonicaliser, source/common/chromium_url/url_canon_path.cc):
 *
 * - `normalize_path` canonicalises the part before `?` (the query is kept as it is): `\` becomes `/`;
 *   `.` and `..` segments (also written `%2e`) are resolved, never above the root; a percent-escape
 *   of an unreserved character (letters, digits, `-`, `.`, `_`, `~`) is decoded; control characters,
 *   space, `"`, `#`, `<`, `>`, `\``, `{`, `|`, `}`, `^`, DEL and every non-ASCII byte are
 *   percent-encoded; a NUL makes the path invalid (Envoy answers 400).
 * - `merge_slashes`, after that, collapses runs of `/` in the path.
 */
import type { HttpRequestParts } from '../policy/request.js';

/** One step a mesh applies to the path before matching it (and forwards the result). */
export type PathNormalization = 'envoy-canonical' | 'merge-slashes';

/** Which part of the request a mesh's path match sees, and what the mesh does to it first. */
export interface PathView {
  /** `excluded`: the match sees the path alone; `included`: the whole `:path`, query string and all. */
  readonly query: 'excluded' | 'included';
  readonly normalization: readonly PathNormalization[];
  /** Where this is established, for the target's docs. */
  readonly source: string;
}

/** Paths seen as written, without the query: what SMI's semantics judge. */
export const RAW_PATH: PathView = { query: 'excluded', normalization: [], source: 'the SMI specification (pathRegex is matched against the path)' };

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

function escapes(byte: number): boolean {
  if (byte <= 0x20 || byte >= 0x7f) return true;
  return '"#%<>?\\^`{|}'.includes(String.fromCharCode(byte));
}

const hex = (b: number) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`;

/** The length of a dot at i (`.` or `%2e`), 0 when none. */
function dotAt(s: string, i: number): number {
  if (s[i] === '.') return 1;
  return s.slice(i, i + 3).toLowerCase() === '%2e' ? 3 : 0;
}

const isSlash = (c: string | undefined) => c === '/' || c === '\\';

/** Paths already made canonical: diff and the dashboard ask about the same few paths millions of times. */
const canonical = new Map<string, string | undefined>();
const CANONICAL_CACHE_MAX = 4096;

/** Envoy's canonical form of a path (no query), or undefined when Envoy refuses it. */
export function envoyCanonicalPath(path: string): string | undefined {
  if (canonical.has(path)) return canonical.get(path);
  const out = canonicalOf(path);
  if (canonical.size >= CANONICAL_CACHE_MAX) canonical.clear();
  canonical.set(path, out);
  return out;
}

function canonicalOf(path: string): string | undefined {
  // Envoy works on bytes: non-ASCII characters arrive as their UTF-8 bytes (then escaped).
  const s = [...new TextEncoder().encode(path)].map((b) => String.fromCharCode(b)).join('');
  let out = isSlash(s[0]) ? '' : '/';
  for (let i = 0; i < s.length;) {
    const dot = dotAt(s, i);
    if (dot > 0) {
      i += dot;
      if (!out.endsWith('/')) { out += '.'; continue; }
      // A segment that starts with a dot: `.` or `..` followed by a slash or the end.
      if (i === s.length || isSlash(s[i])) { i += i === s.length ? 0 : 1; continue; }
      const second = dotAt(s, i);
      if (second > 0 && (i + second === s.length || isSlash(s[i + second]))) {
        i += second + (i + second === s.length ? 0 : 1);
        // Back up to the previous slash, never above the root.
        const cut = out.lastIndexOf('/', out.length - 2);
        out = cut < 0 ? '/' : out.slice(0, cut + 1);
        continue;
      }
      out += '.';
      continue;
    }
    const c = s[i] as string;
    const byte = c.charCodeAt(0);
    if (c === '\\') out += '/';
    else if (c === '%') {
      const code = /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3)) ? parseInt(s.slice(i + 1, i + 3), 16) : undefined;
      if (code === undefined) out += '%';
      else {
        if (code === 0) return undefined;
        const decoded = String.fromCharCode(code);
        out += UNRESERVED.test(decoded) && decoded !== '.' ? decoded : s.slice(i, i + 3);
        i += 3;
        continue;
      }
    } else if (byte === 0) return undefined;
    else if (escapes(byte)) out += hex(byte);
    else out += c;
    i++;
  }
  return out;
}

export const mergeSlashes = (path: string): string => path.replace(/\/{2,}/g, '/');

/**
 * The path a mesh matches and forwards, after its normalisation; undefined when the mesh refuses the
 * request outright (Envoy's 400 for an invalid path).
 */
export function normalizedPath(view: PathView, path: string): string | undefined {
  let out: string | undefined = path;
  for (const step of view.normalization) {
    if (out === undefined) return undefined;
    out = step === 'envoy-canonical' ? envoyCanonicalPath(out) : mergeSlashes(out);
  }
  return out;
}

/** The HTTP parts as the mesh's rules see them: the path normalised; undefined when the mesh refuses the request. */
export function normalizedHttp(view: PathView, http: HttpRequestParts): HttpRequestParts | undefined {
  const path = normalizedPath(view, http.path);
  if (path === undefined) return undefined;
  return path === http.path ? http : { ...http, path };
}

/** What the mesh's path match sees: the normalised path, with `?query` where the match includes it. */
export function matchedPath(view: PathView, path: string, query: string | undefined): string | undefined {
  const normalized = normalizedPath(view, path);
  if (normalized === undefined) return undefined;
  return view.query === 'included' && query !== undefined ? `${normalized}?${query}` : normalized;
}
