/** The questions the model answers: may this request pass, and where does it go. */
import type { Identity } from './model.js';

export type Protocol = 'http' | 'tcp' | 'udp';
export const PROTOCOLS: readonly Protocol[] = ['http', 'tcp', 'udp'];

/** A caller without mesh identity (not meshed, or no valid certificate). */
export const UNAUTHENTICATED = 'unauthenticated' as const;

export interface HttpRequestParts {
  readonly method: string;
  /** The request path as sent, up to the first `?`: what pathRegex sees. */
  readonly path: string;
  /**
   * The query string (after the `?`), when the request has one. SMI ignores it; a mesh whose path
   * rules see the whole `:path` (Cilium) matches it too, so the mesh models need it.
   */
  readonly query?: string;
  /** Header names in lower case. */
  readonly headers: ReadonlyMap<string, string>;
}

export interface AccessRequest {
  readonly source: Identity | typeof UNAUTHENTICATED;
  readonly destination: Identity;
  /** Port on the destination pods (where the server-side proxy enforces); undefined: not known. */
  readonly port?: number;
  readonly protocol: Protocol;
  /** Present for http. */
  readonly http?: HttpRequestParts;
}

export interface RouteRequest {
  readonly service: { readonly namespace: string; readonly name: string };
  /** Port of the root service. */
  readonly port?: number;
  readonly protocol: Protocol;
  readonly http?: HttpRequestParts;
}

/** Normalises what a person types: header names to lower case, the query string apart from the path. */
export function httpParts(method: string, path: string, headers: Iterable<readonly [string, string]>): HttpRequestParts {
  const map = new Map<string, string>();
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    const previous = map.get(key);
    // Repeated headers combine as in HTTP: comma-separated, in order.
    map.set(key, previous === undefined ? value : `${previous},${value}`);
  }
  const q = path.indexOf('?');
  return { method: method.toUpperCase(), path: q >= 0 ? path.slice(0, q) : path, ...(q >= 0 ? { query: path.slice(q + 1) } : {}), headers: map };
}
