/** Kubernetes name rules, as the API server applies them. */
import { distance } from 'fastest-levenshtein';

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Object names (and ServiceAccount names): DNS-1123 subdomain. */
export function subdomainProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > 253) return `must be at most 253 characters (it has ${name.length})`;
  for (const part of name.split('.')) {
    if (!LABEL.test(part)) {
      return 'must consist of lower case letters, digits, "-" and ".", and start and end with a letter or digit (DNS-1123 subdomain)';
    }
  }
  return undefined;
}

/** Namespaces: DNS-1123 label. */
export function labelProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > 63) return `must be at most 63 characters (it has ${name.length})`;
  if (!LABEL.test(name)) return 'must consist of lower case letters, digits and "-", and start and end with a letter or digit (DNS-1123 label)';
  return undefined;
}

/** Service names: DNS-1035 label (they become DNS names of their own). */
export function serviceNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > 63) return `must be at most 63 characters (it has ${name.length})`;
  if (!DNS1035.test(name)) return 'must consist of lower case letters, digits and "-", start with a letter and end with a letter or digit (DNS-1035 label)';
  return undefined;
}

/**
 * The root service of a TrafficSplit names a Service by its short name or, as the spec calls it, "the
 * FQDN that applications will use" (OSM's demo writes `bookstore.bookstore`): `<name>.<namespace>`,
 * `<name>.<namespace>.svc` or `<name>.<namespace>.svc.<cluster domain>`, in the split's own namespace.
 */
export function rootServiceName(service: string, namespace: string): { name: string; qualified: boolean } | { problem: string } {
  const [name = '', ns, ...rest] = service.split('.');
  if (ns === undefined) {
    const problem = serviceNameProblem(service);
    return problem ? { problem: `service name "${service}" ${problem}` } : { name, qualified: false };
  }
  const problem = serviceNameProblem(name);
  if (problem) return { problem: `service name "${name}" (in "${service}") ${problem}` };
  if (ns !== namespace) return { problem: `"${service}" names a Service in namespace "${ns}"; a TrafficSplit splits a Service of its own namespace ("${namespace}")` };
  if (rest.length > 0 && (rest[0] !== 'svc' || rest.slice(1).some((l) => !LABEL.test(l)))) {
    return { problem: `"${service}" is not <name>, <name>.<namespace>, <name>.<namespace>.svc or <name>.<namespace>.svc.<cluster domain>` };
  }
  return { name, qualified: true };
}

/** The root service's short name, or the text as written when it is not a name of this namespace. */
export function rootServiceShortName(service: string, namespace: string): string {
  const r = rootServiceName(service, namespace);
  return 'name' in r ? r.name : service;
}

/** HTTP header field names are RFC 9110 tokens. */
export function headerNameProblem(name: string): string | undefined {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name) ? undefined : 'is not a valid HTTP header name (RFC 9110 token)';
}

/** The names within a few edits of the one typed, nearest first (at most `max`): "did you mean" hints. */
export function nearest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = Math.max(2, Math.floor(word.length / 3));
  return [...new Set(candidates)].map((c) => ({ c, d: distance(word.toLowerCase(), c.toLowerCase()) })).filter((x) => x.d <= limit)
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c)).slice(0, max).map((x) => x.c);
}

/** The nearest candidate, for hints on misspelt fields and kinds. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  return nearest(word, candidates, 1)[0];
}
