/** Small pure operations on plain Kubernetes-style objects. */
import type { AnyObject } from './schema.js';

/** Drops keys whose value is undefined, so optional fields stay absent rather than present-but-empty. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** Builds an object of another version that keeps the source's kind and metadata. */
export function withMeta(apiVersion: string, source: AnyObject | { kind: string; metadata?: unknown }, fields: object): AnyObject {
  const out: AnyObject = { apiVersion, kind: source.kind };
  if (source.metadata !== undefined) out.metadata = source.metadata as AnyObject['metadata'];
  return Object.assign(out, fields);
}

/** Deep equality for JSON-like data, ignoring key order and treating undefined as absent. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => jsonEqual(ao[k], bo[k]));
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
