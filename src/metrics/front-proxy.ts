/**
 * Who is asking, as an aggregated API server knows it: the request arrives from the API server's
 * front proxy, over TLS with a client certificate signed by the requestheader CA (and, when the
 * cluster names them, with one of the allowed common names), carrying the user the API server
 * authenticated in headers. Anything else is refused: a Pod that reaches the metrics server
 * directly must not read TrafficMetrics without the API server's RBAC having said yes.
 */

/** The cluster's front-proxy settings (kube-system/extension-apiserver-authentication). */
export interface FrontProxyTrust {
  /** PEM of the CA that signs the front proxy's client certificate. */
  readonly clientCa: string;
  /** Common names the client certificate may carry; empty means any the CA signed. */
  readonly allowedNames: readonly string[];
  readonly usernameHeaders: readonly string[];
  readonly groupHeaders: readonly string[];
  /** Prefixes of the headers that carry the user's extra attributes (X-Remote-Extra-<key>). */
  readonly extraHeaderPrefixes?: readonly string[];
  /** Headers that carry the user's UID (Kubernetes 1.32+, --requestheader-uid-headers). */
  readonly uidHeaders?: readonly string[];
}

export interface FrontProxyUser {
  readonly name: string;
  readonly groups: readonly string[];
  readonly uid?: string;
  /** Passed on to the cluster's SubjectAccessReview: authorizers (and webhooks) may decide on them. */
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

export type FrontProxyAnswer = { readonly user: FrontProxyUser } | { readonly refused: string };

/** What the TLS layer learnt about the peer. */
export interface PeerCertificate { readonly verified: boolean; readonly commonName?: string }

const DEFAULT_USER_HEADERS = ['X-Remote-User'];
const DEFAULT_GROUP_HEADERS = ['X-Remote-Group'];
const DEFAULT_EXTRA_PREFIXES = ['X-Remote-Extra-'];

const jsonList = (text: string | undefined): string[] | undefined => {
  if (text === undefined || text.trim() === '') return undefined;
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) throw new Error(`expected a JSON list of strings, got ${text}`);
  return parsed;
};

/**
 * Reads the ConfigMap's data as kube-apiserver writes it. Undefined when the cluster has no
 * aggregation layer configured (no requestheader CA): there is then nobody to trust.
 */
export function trustFromConfigMap(data: Readonly<Record<string, string>>): FrontProxyTrust | undefined {
  const clientCa = data['requestheader-client-ca-file'];
  if (!clientCa?.trim()) return undefined;
  return {
    clientCa,
    allowedNames: jsonList(data['requestheader-allowed-names']) ?? [],
    usernameHeaders: jsonList(data['requestheader-username-headers']) ?? DEFAULT_USER_HEADERS,
    groupHeaders: jsonList(data['requestheader-group-headers']) ?? DEFAULT_GROUP_HEADERS,
    extraHeaderPrefixes: jsonList(data['requestheader-extra-headers-prefix']) ?? DEFAULT_EXTRA_PREFIXES,
    uidHeaders: jsonList(data['requestheader-uid-headers']) ?? [],
  };
}

/** Each header's values kept apart (Node's headersDistinct), under lower-case names: a group name may hold a comma. */
type Headers = Readonly<Record<string, readonly string[] | undefined>>;
const values = (headers: Headers, names: readonly string[]): string[] => names.flatMap((n) => headers[n.toLowerCase()] ?? []);

export function authenticate(peer: PeerCertificate, headers: Headers, trust: FrontProxyTrust): FrontProxyAnswer {
  if (!peer.verified) return { refused: 'a client certificate signed by the front-proxy CA is required: read TrafficMetrics through the Kubernetes API server' };
  if (trust.allowedNames.length > 0 && !trust.allowedNames.includes(peer.commonName ?? '')) {
    return { refused: `client certificate CN ${JSON.stringify(peer.commonName ?? '')} is not an allowed front-proxy name (${trust.allowedNames.join(', ')})` };
  }
  const name = values(headers, trust.usernameHeaders).find((v) => v !== '');
  if (!name) return { refused: `no user in ${trust.usernameHeaders.join(', ')}` };
  const uid = values(headers, trust.uidHeaders ?? []).find((v) => v !== '');
  const extra = extraOf(headers, trust.extraHeaderPrefixes ?? DEFAULT_EXTRA_PREFIXES);
  return { user: { name, groups: values(headers, trust.groupHeaders).filter((g) => g !== ''), ...(uid ? { uid } : {}), ...(extra ? { extra } : {}) } };
}

/** Extra attributes as Kubernetes reads them: the key after the prefix, unescaped and lower-cased; every value kept. */
function extraOf(headers: Headers, prefixes: readonly string[]): Record<string, string[]> | undefined {
  const out: Record<string, string[]> = {};
  for (const prefix of prefixes.map((p) => p.toLowerCase())) {
    for (const [name, vs] of Object.entries(headers)) {
      if (!name.startsWith(prefix) || name.length === prefix.length || !vs) continue;
      let key: string;
      try {
        key = decodeURIComponent(name.slice(prefix.length)).toLowerCase();
      } catch {
        continue; // not a valid escape: not a key Kubernetes would send
      }
      out[key] = [...(out[key] ?? []), ...vs];
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
