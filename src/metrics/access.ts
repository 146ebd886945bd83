/**
 * Delegated authorization of the TrafficMetrics API, as Kubernetes' aggregated API servers do it:
 * each request's attributes (verb, group, version, resource, subresource, namespace, name — or the
 * path of a discovery document) are asked of the cluster with a SubjectAccessReview for the user the
 * front proxy named, or the one a TokenReview finds behind a bearer token. Answers are cached
 * briefly (kube-apiserver's webhook authorizer keeps them 10 s by default). Pure: the cluster calls
 * are passed in (kube/access-review.ts).
 */
import { createHash } from 'node:crypto';
import { GROUP } from './api.js';
import type { AccessAttributes, AccessDecision, Authorizer, RequestUser, TokenAuthenticator } from '../kube/delegated-auth.js';

/**
 * What a GET of this path asks for. Under /apis/metrics.smi-spec.io/<version>/ a path names
 * resources (a name makes it a get, none a list; `edges` is a subresource); the group and version
 * documents above that are discovery, authorized by path as kube-apiserver does.
 */
export function accessAttributes(path: string): AccessAttributes {
  const parts = path.replace(/\/+$/, '').split('/').slice(1);
  if (parts[0] !== 'apis' || parts[1] !== GROUP || parts.length <= 3) return { nonResource: { verb: 'get', path: path.replace(/\/+$/, '') || '/' } };
  const version = parts[2]!;
  let rest = parts.slice(3);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource = '', name, subresource] = rest;
  return {
    resource: {
      verb: name === undefined ? 'list' : 'get', group: GROUP, version, resource,
      ...(subresource !== undefined ? { subresource } : {}), ...(namespace !== undefined ? { namespace } : {}), ...(name !== undefined ? { name } : {}),
    },
  };
}

/** Kubernetes' own wording of a refusal, so it reads like every other forbidden request. */
export function forbiddenMessage(user: RequestUser, attributes: AccessAttributes, reason?: string): string {
  const why = reason ? `: ${reason}` : '';
  if ('nonResource' in attributes) return `forbidden: User "${user.name}" cannot get path "${attributes.nonResource.path}"${why}`;
  const a = attributes.resource;
  const what = `${a.resource}${a.subresource ? `/${a.subresource}` : ''}`;
  const object = a.name !== undefined ? `${a.resource}.${a.group} "${a.name}" is forbidden` : `${a.resource}.${a.group} is forbidden`;
  return `${object}: User "${user.name}" cannot ${a.verb} resource "${what}" in API group "${a.group}"${a.namespace !== undefined ? ` in the namespace "${a.namespace}"` : ' at the cluster scope'}${why}`;
}

interface Entry<T> { readonly value: T; readonly until: number }

/** A time-bounded memo of an async function, keyed by a string: answers are reused until they expire. */
function memo<T>(ttlMs: (value: T) => number, now: () => number, max: number) {
  const entries = new Map<string, Entry<T>>();
  return async (key: string, compute: () => Promise<T>): Promise<T> => {
    const hit = entries.get(key);
    if (hit && hit.until > now()) return hit.value;
    const value = await compute();
    if (entries.size >= max) for (const [k, e] of entries) if (e.until <= now() || entries.size >= max) entries.delete(k);
    entries.set(key, { value, until: now() + ttlMs(value) });
    return value;
  };
}

export interface CacheOptions {
  readonly allowedTtlMs?: number;
  readonly deniedTtlMs?: number;
  readonly now?: () => number;
  /** Entries kept at most (oldest dropped first). */
  readonly max?: number;
}

/** The same user asking the same thing within the TTL gets the same answer without a review; errors are not cached. */
export function cachedAuthorizer(inner: Authorizer, options: CacheOptions = {}): Authorizer {
  const m = memo<AccessDecision>((d) => (d.allowed ? options.allowedTtlMs ?? 10_000 : options.deniedTtlMs ?? 10_000), options.now ?? Date.now, options.max ?? 10_000);
  return (user, attributes) => m(JSON.stringify([user.name, [...user.groups].sort(), user.uid ?? '', user.extra ?? {}, attributes]), () => inner(user, attributes));
}

/** Tokens are remembered by the review's answer for a short time (kube-apiserver's token webhook cache: 10 s by default). */
export function cachedTokenAuthenticator(inner: TokenAuthenticator, options: CacheOptions = {}): TokenAuthenticator {
  const m = memo<RequestUser | undefined>((u) => (u ? options.allowedTtlMs ?? 10_000 : options.deniedTtlMs ?? 10_000), options.now ?? Date.now, options.max ?? 10_000);
  // Keyed by a digest: the cache holds no usable credential.
  return (token) => m(createHash('sha256').update(token).digest('hex'), () => inner(token));
}
