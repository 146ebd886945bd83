/**
 * Header filters of an HTTPRouteGroup match, in either form: the spec's map (`{name: regex}`) or the
 * list of single-entry maps that OSM's and the SDK's CRDs store (`[{name: regex}, …]`). One meaning:
 * every header of every entry must match; a header named twice must match both regexes.
 */
import type { FieldPath } from '../diagnostic.js';

export type HeaderFilters = Record<string, string> | Record<string, string>[];

export interface HeaderEntry {
  /** As written (case kept); header names compare case-insensitively. */
  readonly name: string;
  readonly regex: string;
  /** Path of this entry below the match: ['headers', name] or ['headers', index, name]. */
  readonly path: FieldPath;
}

export const isListForm = (headers: HeaderFilters | undefined): headers is Record<string, string>[] => Array.isArray(headers);

/** Every header condition, in the order written. */
export function headerEntries(headers: HeaderFilters | undefined): HeaderEntry[] {
  if (headers === undefined) return [];
  if (Array.isArray(headers)) {
    return headers.flatMap((entry, i) => Object.entries(entry).map(([name, regex]) => ({ name, regex, path: ['headers', i, name] })));
  }
  return Object.entries(headers).map(([name, regex]) => ({ name, regex, path: ['headers', name] }));
}

/** Header names (lower case) that occur more than once, each with the paths of its entries. */
export function repeatedHeaders(headers: HeaderFilters | undefined): Map<string, HeaderEntry[]> {
  const byName = new Map<string, HeaderEntry[]>();
  for (const e of headerEntries(headers)) {
    const key = e.name.toLowerCase();
    byName.set(key, [...(byName.get(key) ?? []), e]);
  }
  return new Map([...byName].filter(([, es]) => es.length > 1));
}

/** The map form of list-form filters; undefined when a header is named twice (a map cannot hold both). */
export function toMapForm(headers: HeaderFilters): Record<string, string> | undefined {
  if (!Array.isArray(headers)) return headers;
  if (repeatedHeaders(headers).size > 0) return undefined;
  return Object.fromEntries(headerEntries(headers).map((e) => [e.name, e.regex]));
}

/** A header named twice in list form, which the map form cannot hold. */
export interface UnmappableHeaders {
  /** Path of the match's `headers` field in the object. */
  readonly path: FieldPath;
  readonly names: readonly string[];
}

/**
 * An HTTPRouteGroup object (any version: matches at the top level or under spec) with list-form
 * headers rewritten as maps. Matches whose list names a header twice stay as written and are returned.
 */
export function normalizeHeaderForms<T extends Record<string, unknown>>(object: T): { object: T; unmappable: UnmappableHeaders[] } {
  const spec = object.spec as { matches?: unknown } | undefined;
  const atSpec = Array.isArray(spec?.matches);
  const matches = (atSpec ? spec!.matches : object.matches) as { headers?: HeaderFilters }[] | undefined;
  if (!Array.isArray(matches)) return { object, unmappable: [] };
  const unmappable: UnmappableHeaders[] = [];
  const rewritten = matches.map((m, i) => {
    if (!isListForm(m.headers)) return m;
    const map = toMapForm(m.headers);
    if (map === undefined) {
      unmappable.push({ path: [...(atSpec ? ['spec'] : []), 'matches', i, 'headers'], names: [...repeatedHeaders(m.headers).keys()] });
      return m;
    }
    return { ...m, headers: map };
  });
  const out = atSpec ? { ...object, spec: { ...(object.spec as object), matches: rewritten } } : { ...object, matches: rewritten };
  return { object: out as T, unmappable };
}
