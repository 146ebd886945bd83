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
 * value, headers "Name value" exact or "Name" present. A port with L7 rules for any peer is proxied
 * as HTTP for all of them: a connection that is not HTTP fails there. UDP is decided in the datapath.
 * A rule with authentication mode required passes only peers that complete mutual authentication
 * (a workload identity; test-always-fail: none).
 */
import type { Workload } from '../../policy/model.js';
import type { AccessRequest } from '../../policy/request.js';
import type { MeshDecision, MeshResource } from '../target.js';
import { re2FullMatch } from '../full-match.js';
import { NAMESPACE_LABEL, SERVICE_ACCOUNT_LABEL, type CiliumNetworkPolicySpec, type EndpointSelector, type HttpRule, type IngressRule, type PortProtocol } from './types.js';

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

function httpFits(rule: HttpRule, request: AccessRequest): boolean {
  const http = request.http;
  if (!http) return false;
  if (rule.method !== undefined && !re2FullMatch(rule.method, http.method)) return false;
  if (rule.path !== undefined && !re2FullMatch(rule.path, http.path)) return false;
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
  const labels = { ...workload.labels, [SERVICE_ACCOUNT_LABEL]: workload.serviceAccount, [NAMESPACE_LABEL]: workload.namespace };
  const selecting: Selected[] = resources
    .filter((r) => r.kind === 'CiliumNetworkPolicy' && r.metadata.namespace === workload.namespace && fits((r.spec as CiliumNetworkPolicySpec).endpointSelector, labels))
    .map((r) => ({ namespace: r.metadata.namespace ?? '', name: r.metadata.name, spec: r.spec as CiliumNetworkPolicySpec }));
  const isolating = selecting.filter((p) => p.spec.ingress !== undefined && (p.spec as { enableDefaultDeny?: { ingress?: boolean } }).enableDefaultDeny?.ingress !== false);
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
  // Where any rule puts L7 HTTP rules on the port, the proxy carries every connection to it.
  const proxied = protocol === 'TCP' && rules.some(({ rule }) => rule.toPorts?.some((t) => t.rules?.http && t.ports?.some((p) => portFits(p, protocol, port))));
  for (const { policy, rule } of rules) {
    if (!peerMatches(rule, policy.namespace)) continue;
    if (rule.toPorts === undefined) {
      if (proxied && request.protocol !== 'http') continue;
      return { allowed: true, enforced: true, reasons: [`${policy.name} allows the peer on every port`] };
    }
    for (const t of rule.toPorts) {
      if (!(t.ports ?? [{ port: '0' }]).some((p) => portFits(p, protocol, port))) continue;
      if (t.rules?.http) {
        if (request.protocol !== 'http') continue;
        if (t.rules.http.some((h) => httpFits(h, request))) return { allowed: true, enforced: true, reasons: [`an L7 rule of ${policy.name} allows the request`] };
        continue;
      }
      if (proxied && request.protocol !== 'http') continue;
      return { allowed: true, enforced: true, reasons: [`${policy.name} allows the peer on ${protocol}/${port}`] };
    }
  }
  return { allowed: false, enforced: true, reasons: [`default deny: no ingress rule of ${isolating.map((p) => p.name).join(', ')} allows it`] };
}
