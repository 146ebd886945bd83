/**
 * What Cilium does with CiliumNetworkPolicies — written from Cilium's documentation (Policy
 * Enforcement Modes, Layer 3/4/7 policy language; MESH-NOTES.md), not from how the translator builds them.
 *
 * Endpoints carry their pod labels plus io.cilium.k8s.policy.serviceaccount and
 * io.kubernetes.pod.namespace. A namespaced policy's endpointSelector picks endpoints of its own
 * namespace (empty: all of them); a peer selector without the namespace label is confined to the
 * policy's namespace too. An endpoint selected by a policy with an ingress section is in default deny
 * (unless enableDefaultDeny.ingress is false); then a connection passes iff some ingress rule of some
 * selecting policy allows it: its peer fits fromEndpoints (no from* but toPorts: every peer; an empty
 * rule: none), its protocol and port fit toPorts (none: every port and protocol), and where the port
 * has L7 HTTP rules, the request fits one of them — method and path are RE2 regexes over the whole
 * value (the path as Cilium's Envoy sees it: normalised, query string included; CILIUM_PATH_VIEW),
 * headers "Name value" exact or "Name" present. UDP is decided in the datapath.
 *
 * Which connections go through the proxy (Cilium 1.5 and later, 1.18 included): a peer is redirected
 * on a port only when a rule that selects that peer puts L7 rules on it; then its connection must be
 * HTTP, and an L4-only rule for the same peer on that port turns into "every request" at L7. A peer
 * that only L4-only rules select keeps plain TCP on that port. (Cilium 1.4 and before redirected every
 * peer of such a port; cilium/cilium#7438.)
 * A rule with authentication mode required passes only peers that complete mutual authentication
 * (a workload identity; test-always-fail: none).
 */
import type { Workload } from '../../policy/model.js';
import type { AccessRequest } from '../../policy/request.js';
import type { MeshDecision, MeshResource } from '../target.js';
import { re2FullMatch } from '../full-match.js';
import { matchedPath, type PathView } from '../envoy-path.js';
import { ciliumIdentityLabels } from './identity-labels.js';
import { resourcesOf } from '../resource-index.js';
import { CILIUM_NETWORK_POLICY, NAMESPACE_LABEL, SERVICE_ACCOUNT_LABEL, type CiliumNetworkPolicySpec, type EndpointSelector, type HttpRule, type IngressRule, type PortProtocol } from './types.js';

const fits = (selector: EndpointSelector | undefined, labels: Readonly<Record<string, string>>): boolean =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);

function peerFits(selector: EndpointSelector, peer: Readonly<Record<string, string>> | undefined, policyNamespace: string): boolean {
  if (!peer) return false;
  const confined = selector.matchLabels?.[NAMESPACE_LABEL] === undefined ? { ...selector.matchLabels, [NAMESPACE_LABEL]: policyNamespace } : selector.matchLabels;
  return fits({ matchLabels: confined }, peer);
}

const portFits = (p: PortProtocol, protocol: string, port: number): boolean => {
  const proto = p.protocol ?? 'ANY';
  if (proto !== 'ANY' && proto !== protocol) return false;
  const from = Number(p.port);
  if (from === 0) return true; // port 0: every port
  return port >= from && port <= (p.endPort ?? from);
};

/**
 * Cilium's proxy listener runs Envoy with http-normalize-path (on by default): normalize_path,
 * merge_slashes and unescape-and-redirect of escaped slashes (pkg/envoy/xds_server.go); the L7 path
 * rule is a regex over the whole :path header, query string included.
 */
export const CILIUM_PATH_VIEW: PathView = {
  query: 'included',
  normalization: ['envoy-canonical', 'merge-slashes'],
  source: "Cilium's --http-normalize-path (default true) switches on Envoy's normalize_path, merge_slashes and UNESCAPE_AND_REDIRECT in the proxy listener (pkg/envoy/xds_server.go); its HTTP rules match the path regex against the :path header, query included",
};

const ESCAPED_SLASH = /%2f|%5c/i;

function httpFits(rule: HttpRule, request: AccessRequest, path: string): boolean {
  const http = request.http;
  if (!http) return false;
  if (rule.method !== undefined && !re2FullMatch(rule.method, http.method)) return false;
  if (rule.path !== undefined && !re2FullMatch(rule.path, path)) return false;
  for (const h of rule.headers ?? []) {
    const space = h.indexOf(' ');
    const name = (space < 0 ? h : h.slice(0, space)).toLowerCase();
    const value = http.headers.get(name);
    if (value === undefined) return false;
    if (space >= 0 && value !== h.slice(space + 1)) return false;
  }
  return true;
}

interface Selected { readonly namespace: string; readonly name: string; readonly spec: CiliumNetworkPolicySpec }

export function evaluateCiliumAccess(resources: readonly MeshResource[], workload: Workload, request: AccessRequest): MeshDecision {
  const labels = { ...ciliumIdentityLabels(workload.labels), [SERVICE_ACCOUNT_LABEL]: workload.serviceAccount, [NAMESPACE_LABEL]: workload.namespace };
  const selecting: Selected[] = resourcesOf(resources, CILIUM_NETWORK_POLICY, workload.namespace)
    .flatMap((r) => (r.spec && fits(r.spec.endpointSelector, labels) ? [{ namespace: r.metadata.namespace ?? '', name: r.metadata.name, spec: r.spec }] : []));
  const isolating = selecting.filter((p) => p.spec.ingress !== undefined && p.spec.enableDefaultDeny?.ingress !== false);
  if (isolating.length === 0) return { allowed: true, enforced: true, reasons: ['no policy with ingress rules selects the endpoint: Cilium allows'] };

  const rules = selecting.flatMap((p) => (p.spec.ingress ?? []).map((rule) => ({ policy: p, rule })));
  if (request.port === undefined && rules.some(({ rule }) => rule.toPorts !== undefined)) {
    return { allowed: false, enforced: true, reasons: [], unanswerable: 'Cilium decides per port: name the port' };
  }
  const protocol = request.protocol === 'udp' ? 'UDP' : 'TCP';
  const port = request.port ?? 0;
  const peer = request.source === 'unauthenticated' ? undefined : { [SERVICE_ACCOUNT_LABEL]: request.source.name, [NAMESPACE_LABEL]: request.source.namespace };
  const peerMatches = (rule: IngressRule, namespace: string) => {
    // Mutual authentication: only a peer with a workload identity completes the handshake.
    if (rule.authentication?.mode === 'test-always-fail') return false;
    if (rule.authentication?.mode === 'required' && !peer) return false;
    if (rule.fromEndpoints !== undefined) return rule.fromEndpoints.some((s) => peerFits(s, peer, namespace));
    return rule.toPorts !== undefined; // L4-only rule: every peer; an empty rule: none
  };
  // The peer's connection goes through the proxy when a rule selecting this peer has L7 rules on the port.
  const proxied = protocol === 'TCP' && rules.some(({ policy, rule }) => peerMatches(rule, policy.namespace) && rule.toPorts?.some((t) => t.rules?.http && t.ports?.some((p) => portFits(p, protocol, port))));
  if (proxied && request.protocol !== 'http') {
    return { allowed: false, enforced: true, reasons: [`L7 rules for this peer on TCP/${port} send its connection through Cilium's HTTP proxy, which refuses what is not HTTP`] };
  }
  // What the proxy's path rules see; a path Envoy refuses or redirects never reaches the rules.
  let path = '';
  if (proxied && request.http) {
    if (ESCAPED_SLASH.test(request.http.path)) {
      return { allowed: false, enforced: true, reasons: ['the path holds an escaped slash (%2F or %5C): Cilium\'s Envoy answers with a redirect to the unescaped path, which is then judged'] };
    }
    const seen = matchedPath(CILIUM_PATH_VIEW, request.http.path, request.http.query);
    if (seen === undefined) return { allowed: false, enforced: true, reasons: ["Cilium's Envoy refuses the path (400)"] };
    path = seen;
  }
  for (const { policy, rule } of rules) {
    if (!peerMatches(rule, policy.namespace)) continue;
    if (rule.toPorts === undefined) {
      return { allowed: true, enforced: true, reasons: [`${policy.name} allows the peer on every port${proxied ? ' (every request, at L7)' : ''}`] };
    }
    for (const t of rule.toPorts) {
      if (!(t.ports ?? [{ port: '0' }]).some((p) => portFits(p, protocol, port))) continue;
      if (t.rules?.http) {
        if (request.protocol !== 'http') continue;
        if (t.rules.http.some((h) => httpFits(h, request, path))) return { allowed: true, enforced: true, reasons: [`an L7 rule of ${policy.name} allows the request`] };
        continue;
      }
      return { allowed: true, enforced: true, reasons: [`${policy.name} allows the peer on ${protocol}/${port}${proxied ? ' (every request, at L7)' : ''}`] };
    }
  }
  return { allowed: false, enforced: true, reasons: [`default deny: no ingress rule of ${isolating.map((p) => p.name).join(', ')} allows it`] };
}
