/**
 * TrafficTargets → CiliumNetworkPolicies (cilium.io/v2, ingress). One policy per destination
 * ServiceAccount, selecting its pods by the ServiceAccount label Cilium derives itself (not by pod
 * labels a user sets); sources likewise by ServiceAccount and namespace. L4 grants become port rules
 * enforced in the datapath (UDP included); HTTP matches become L7 rules for the node's Envoy.
 * Deny-by-default: a policy with an ingress section puts the pods it selects into default deny.
 */
import { workloadsOf } from '../../policy/inventory.js';
import { identityKey, inScope, provenanceLabel, type CompiledMatch, type Identity, type PolicyModel, type TargetPolicy } from '../../policy/model.js';
import { regexForms } from '../../policy/regex-forms.js';
import { ciliumPathRegex } from './path-regex.js';
import { grantedPorts } from '../granted-ports.js';
import { meta, resourceName } from '../naming.js';
import type { Report } from '../diagnostics.js';
import type { MeshResource, TranslateOptions } from '../target.js';
import { CILIUM_API, NAMESPACE_LABEL, SERVICE_ACCOUNT_LABEL, type CiliumNetworkPolicySpec, type HttpRule, type IngressRule, type PortProtocol } from './types.js';

/** Header alternatives multiply into separate L7 rules (Cilium ANDs the headers of one rule): cap the product. */
const MAX_HTTP_RULES_PER_MATCH = 64;

const endpoint = (i: Identity) => ({ matchLabels: { [NAMESPACE_LABEL]: i.namespace, [SERVICE_ACCOUNT_LABEL]: i.name } });

/** Ports as Cilium lists them; undefined = every port of the protocol (1–65535). */
function portList(ports: ReadonlySet<number> | undefined, protocol: 'TCP' | 'UDP'): PortProtocol[] {
  if (ports === undefined) return [{ port: '1', endPort: 65535, protocol }];
  return [...ports].sort((a, b) => a - b).map((p) => ({ port: String(p), protocol }));
}

/** One SMI match as Cilium L7 rules, or why it cannot be. */
function httpRules(match: CompiledMatch): HttpRule[] | string {
  // SMI matches pathRegex at the start of the path; Cilium full-matches the whole :path, query included.
  const path = match.pathRegex !== undefined ? ciliumPathRegex(match.pathRegex) : undefined;
  if (path && !path.ok) return `${path.why}; Cilium matches the path and query string together, and this cannot be written so that the query never satisfies it`;
  const base: HttpRule = {
    ...(match.methods ? { method: [...match.methods].sort().join('|') } : {}),
    ...(path?.ok ? { path: path.regex } : {}),
  };
  let rules: HttpRule[] = [base];
  for (const h of match.headers) {
    const forms = regexForms(h.regex);
    if (forms.kind === 'inexpressible') return `header ${h.name}: ${forms.why}; Cilium matches header values exactly or by presence`;
    let values: string[];
    if (forms.kind === 'any') values = [h.name];
    else {
      const prefix = forms.forms.find((f) => f.kind === 'prefix');
      if (prefix) return `header ${h.name} matches values starting with ${JSON.stringify(prefix.value)}; Cilium matches header values exactly or by presence`;
      values = forms.forms.map((f) => `${h.name} ${f.value}`);
      if (forms.forms.some((f) => f.value === '' || f.value.trim() !== f.value)) return `header ${h.name}: an empty value or one with surrounding spaces cannot be written as Cilium's "Name value"`;
    }
    rules = rules.flatMap((r) => values.map((v) => ({ ...r, headers: [...(r.headers ?? []), v] })));
    if (rules.length > MAX_HTTP_RULES_PER_MATCH) return `its header alternatives make more than ${MAX_HTTP_RULES_PER_MATCH} Cilium rules`;
  }
  return rules;
}

function ingressRules(model: PolicyModel, identity: Identity, targets: readonly TargetPolicy[], report: Report): IngressRule[] {
  const rules: IngressRule[] = [];
  // HTTP on "every port": Cilium's L7 rules name ports, so the ports the destination's pods declare.
  const declared = new Set(workloadsOf(model.inventory, identity.namespace, identity.name)
    .flatMap((w) => w.ports.filter((p) => p.protocol === 'TCP').map((p) => p.port)));
  for (const target of targets) {
    for (const u of target.unresolved) report(target.ref, 'warning', 'SMI_RULE_UNRESOLVED', `${provenanceLabel(target.ref)}: ${u}; nothing is emitted for it`);
    if (target.sources.length === 0) continue;
    const fromEndpoints = target.sources.map(endpoint);
    if (target.hasHttpRules) {
      let ports = grantedPorts(target);
      if (ports === undefined) {
        ports = declared;
        report(target.ref, declared.size === 0 ? 'error' : 'warning', 'CILIUM_HTTP_PORTS_FROM_PODS',
          `${provenanceLabel(target.ref)} grants HTTP on every port of ${identityKey(identity)}, but Cilium's L7 rules name ports: ` +
            (declared.size === 0 ? 'its pods declare none, so nothing is allowed on Cilium (narrower than SMI); declare containerPorts or add a TCPRoute' : `they cover the ports its pods declare (${[...declared].sort((a, b) => a - b).join(', ')}); HTTP on other ports is denied (narrower than SMI)`));
      }
      if (ports.size === 0) continue;
      const http: HttpRule[] = [];
      for (const m of target.httpMatches) {
        const r = httpRules(m);
        if (typeof r === 'string') {
          report(target.ref, 'error', 'CILIUM_MATCH_INEXPRESSIBLE', `${provenanceLabel(target.ref)} match ${m.group.name}/${m.name}: ${r}. The match is left out, so it allows nothing on Cilium (narrower than SMI)`);
          continue;
        }
        http.push(...r);
      }
      if (http.length > 0) rules.push({ fromEndpoints, toPorts: [{ ports: portList(ports, 'TCP'), rules: { http } }] });
    } else if (target.tcpPorts !== undefined) {
      const ports = grantedPorts(target);
      if (ports === undefined || ports.size > 0) rules.push({ fromEndpoints, toPorts: [{ ports: portList(ports, 'TCP') }] });
    }
    if (target.udpPorts !== undefined) {
      const ports = grantedPorts({ tcpPorts: target.udpPorts, ...(target.legacyPort !== undefined ? { legacyPort: target.legacyPort } : {}) });
      if (ports === undefined || ports.size > 0) rules.push({ fromEndpoints, toPorts: [{ ports: portList(ports, 'UDP') }] });
    }
  }
  return rules;
}

/**
 * Sources with L7 rules on a TCP port and an L4-only grant covering the same port: Cilium sends that
 * source's connections to the port through its HTTP proxy (which then lets every request through),
 * so what is not HTTP is refused. Other sources' plain TCP on that port is not redirected.
 */
function tcpThroughProxy(rules: readonly IngressRule[]): { source: string; ports: number[] }[] {
  const l7 = new Map<string, Set<number>>();
  const l4 = new Map<string, [number, number][]>();
  for (const r of rules) {
    for (const selector of r.fromEndpoints ?? []) {
      const source = `${selector.matchLabels?.[NAMESPACE_LABEL] ?? ''}/${selector.matchLabels?.[SERVICE_ACCOUNT_LABEL] ?? ''}`;
      for (const t of r.toPorts ?? []) {
        for (const p of (t.ports ?? []).filter((x) => x.protocol === 'TCP')) {
          const from = Number(p.port);
          if (t.rules?.http) l7.set(source, (l7.get(source) ?? new Set()).add(from));
          else l4.set(source, [...(l4.get(source) ?? []), [from, p.endPort ?? from]]);
        }
      }
    }
  }
  const out: { source: string; ports: number[] }[] = [];
  for (const [source, ports] of [...l7].sort(([a], [b]) => a.localeCompare(b))) {
    const both = [...ports].filter((port) => (l4.get(source) ?? []).some(([from, to]) => port >= from && port <= to)).sort((a, b) => a - b);
    if (both.length > 0) out.push({ source, ports: both });
  }
  return out;
}

export function translateCiliumPolicies(model: PolicyModel, report: Report, options: Pick<TranslateOptions, 'ciliumMutualAuth'> = {}): MeshResource[] {
  const out: MeshResource[] = [];
  if (model.mode === 'permissive') return out;
  const destinations = [...model.destinations.values()].map((d) => ({ identity: d.identity, targets: d.targets }));
  for (const key of [...model.lockedDown].filter((k) => !model.destinations.has(k))) {
    const [namespace = '', name = ''] = key.split('/');
    destinations.push({ identity: { namespace, name }, targets: [] });
  }
  for (const { identity, targets } of destinations.sort((a, b) => identityKey(a.identity).localeCompare(identityKey(b.identity)))) {
    if (!inScope(model, identity.namespace)) continue;
    const rules = ingressRules(model, identity, targets, report)
      .map((r) => (options.ciliumMutualAuth && r.fromEndpoints ? { ...r, authentication: { mode: 'required' as const } } : r));
    for (const { source, ports } of tcpThroughProxy(rules)) {
      report(targets[0]?.ref, 'warning', 'CILIUM_TCP_THROUGH_HTTP_PROXY',
        `${identityKey(identity)}: source ${source} has HTTP rules and a plain TCP grant on port ${ports.join(', ')}; Cilium (1.5 and later) sends that source's connections to the port through its HTTP proxy, which lets every HTTP request through and refuses traffic that is not HTTP (narrower than SMI). Other sources' plain TCP there is not redirected`);
    }
    const spec: CiliumNetworkPolicySpec = {
      endpointSelector: { matchLabels: { [SERVICE_ACCOUNT_LABEL]: identity.name } },
      // An empty rule still puts the pods into default deny and allows nothing.
      ingress: rules.length > 0 ? rules : [{}],
    };
    out.push({ apiVersion: CILIUM_API, kind: 'CiliumNetworkPolicy', metadata: meta('cilium', resourceName('smi', identity.name), identity.namespace, targets.map((t) => t.ref)), spec });
  }
  if (model.mode === 'strict') {
    const namespaces = new Set<string>();
    for (const w of model.inventory.workloads) if (inScope(model, w.namespace)) namespaces.add(w.namespace);
    for (const d of destinations) if (inScope(model, d.identity.namespace)) namespaces.add(d.identity.namespace);
    for (const ns of [...namespaces].sort()) {
      const spec: CiliumNetworkPolicySpec = { endpointSelector: {}, ingress: [{}] };
      out.push({ apiVersion: CILIUM_API, kind: 'CiliumNetworkPolicy', metadata: meta('cilium', 'smi--deny-by-default', ns, []), spec });
    }
  }
  return out;
}
