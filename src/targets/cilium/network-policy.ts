/**
 * TrafficTargets → CiliumNetworkPolicies (cilium.io/v2, ingress). One policy per destination
 * ServiceAccount, selecting its pods by the ServiceAccount label Cilium derives itself (not by pod
 * labels a user sets); sources likewise by ServiceAccount and namespace. L4 grants become port rules
 * enforced in the datapath (UDP included); HTTP matches become L7 rules for the node's Envoy.
 * Deny-by-default: a policy with an ingress section puts the pods it selects into default deny.
 */
import { identityKey, inScope, provenanceLabel, type CompiledMatch, type Identity, type PolicyModel, type TargetPolicy } from '../../policy/model.js';
import { fullMatchRegex, regexForms } from '../../policy/regex-forms.js';
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
  const base: HttpRule = {
    ...(match.methods ? { method: [...match.methods].sort().join('|') } : {}),
    // SMI anchors pathRegex at the start only; Cilium matches the whole :path.
    ...(match.pathRegex !== undefined ? { path: fullMatchRegex(match.pathRegex) } : {}),
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
  const declared = new Set(model.inventory.workloads.filter((w) => w.namespace === identity.namespace && w.serviceAccount === identity.name)
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

/** Ports where some source has an L7 rule: Cilium's HTTP proxy then carries every connection to them. */
function proxiedPorts(rules: readonly IngressRule[]): Set<number> {
  const out = new Set<number>();
  for (const r of rules) for (const t of r.toPorts ?? []) if (t.rules?.http) for (const p of t.ports ?? []) out.add(Number(p.port));
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
    const proxied = proxiedPorts(rules);
    const rawTcpThroughProxy = rules.some((r) => !r.toPorts?.some((t) => t.rules) && r.toPorts?.some((t) => t.ports?.some((p) => p.protocol === 'TCP' && [...proxied].some((x) => x >= Number(p.port) && x <= (p.endPort ?? Number(p.port))))));
    if (rawTcpThroughProxy) {
      report(targets[0]?.ref, 'warning', 'CILIUM_TCP_THROUGH_HTTP_PROXY',
        `${identityKey(identity)}: some sources have HTTP rules and others plain TCP on the same port (${[...proxied].sort((a, b) => a - b).join(', ')}); Cilium then sends every connection to that port through its HTTP proxy, so traffic that is not HTTP is refused there (narrower than SMI)`);
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
