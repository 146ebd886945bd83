/**
 * Consul's decisions over the config entries smi wrote, as Consul makes them: intention precedence
 * and permissions for access; router → splitter → resolver (the discovery chain) for routing.
 * A workload's Consul service is its ServiceAccount's name (consul-k8s with ACLs); see names.ts.
 */
import type { Workload } from '../../policy/model.js';
import type { AccessRequest, RouteRequest } from '../../policy/request.js';
import type { MeshDecision, MeshResource, MeshRoute, TranslateOptions } from '../target.js';
import { consulMatchFits } from './http-match.js';
import { consulName, mirrored, servicePort, type ConsulName } from './names.js';
import { SERVICE_DEFAULTS, SERVICE_INTENTIONS, SERVICE_ROUTER, SERVICE_SPLITTER, type IntentionSource } from './types.js';
import { allOfKind, type ResourceKind } from '../resource-kind.js';

const DEFAULT_NS = 'default';
const nsOf = (n: ConsulName): string => n.namespace ?? DEFAULT_NS;

/** The config entry of a kind for a Consul service: named after it, in its namespace when mirroring. */
function entry<Spec>(resources: readonly MeshResource[], kind: ResourceKind<Spec>, name: ConsulName, options: TranslateOptions): Spec | undefined {
  return allOfKind(resources, kind).find((r) => r.metadata.name === name.name && (!mirrored(options) || r.metadata.namespace === name.namespace))?.spec;
}

const protocolOf = (resources: readonly MeshResource[], name: ConsulName, options: TranslateOptions): string =>
  entry(resources, SERVICE_DEFAULTS, name, options)?.protocol ?? 'tcp';

/** Consul's precedence table: exact beats wildcard, destination before source, namespace before name. */
function precedence(destNs: string, destName: string, srcNs: string, srcName: string): number {
  const d = destNs === '*' ? 0 : destName === '*' ? 1 : 2;
  const s = srcNs === '*' ? 0 : srcName === '*' ? 1 : 2;
  return d * 3 + s + 1;
}

export function evaluateConsulAccess(resources: readonly MeshResource[], workload: Workload, request: AccessRequest, options: TranslateOptions): MeshDecision {
  if (request.protocol === 'udp') return { allowed: false, enforced: false, reasons: ["Consul's sidecars do not carry UDP"] };
  if (request.port === undefined) return { allowed: false, enforced: true, reasons: [], unanswerable: 'Consul delivers to a workload on its service port only: name the port' };
  const port = servicePort(workload);
  if (port !== undefined && request.port !== port) return { allowed: false, enforced: true, reasons: [`the mesh delivers to ${workload.name} on its service port ${port} only, not ${request.port}`] };
  if (request.source === 'unauthenticated') return { allowed: false, enforced: true, reasons: ['the sidecar accepts only mutual TLS from mesh services'] };
  const dest = consulName(workload.namespace, workload.serviceAccount, options);
  const src = consulName(request.source.namespace, request.source.name, options);
  const protocol = protocolOf(resources, dest, options);
  let best: { p: number; source: IntentionSource; name: string } | undefined;
  for (const r of allOfKind(resources, SERVICE_INTENTIONS)) {
    const spec = r.spec;
    if (!spec) continue;
    const destNs = mirrored(options) ? (spec.destination.namespace ?? r.metadata.namespace ?? DEFAULT_NS) : DEFAULT_NS;
    if (!(spec.destination.name === '*' || spec.destination.name === dest.name) || !(destNs === '*' || destNs === nsOf(dest))) continue;
    for (const s of spec.sources) {
      const srcNs = mirrored(options) ? (s.namespace ?? destNs) : DEFAULT_NS;
      if (!(s.name === '*' || s.name === src.name) || !(srcNs === '*' || srcNs === nsOf(src))) continue;
      const p = precedence(destNs, spec.destination.name, srcNs, s.name);
      if (!best || p > best.p) best = { p, source: s, name: r.metadata.name };
    }
  }
  // Without a matching intention, the cluster's ACL default policy (or a "*" intention smi did not write) decides: unknown here.
  if (!best) return { allowed: true, enforced: false, reasons: ["no intention matches: the cluster's ACL default policy decides (allow when ACLs are off)"] };
  const via = `intention ${best.name} source ${best.source.name}`;
  if (request.protocol === 'tcp' && protocol === 'http') return { allowed: false, enforced: true, reasons: [`${dest.name} speaks http: raw TCP is not carried`] };
  if (best.source.action !== undefined) return { allowed: best.source.action === 'allow', enforced: true, reasons: [`${via}: ${best.source.action}`] };
  if (request.protocol !== 'http' || !request.http) return { allowed: false, enforced: true, reasons: [`${via} has L7 permissions; non-HTTP traffic is denied`] };
  const http = request.http;
  const i = (best.source.permissions ?? []).findIndex((perm) => consulMatchFits(perm.http, http));
  if (i < 0) return { allowed: true, enforced: true, reasons: [`${via}: no permission fits; the default allows`] };
  const action = best.source.permissions![i]!.action;
  return { allowed: action === 'allow', enforced: true, reasons: [`${via} permission ${i}: ${action}`] };
}

/** Where the discovery chain of a service sends a request: its splitter (if any), to instances. */
function resolve(resources: readonly MeshResource[], name: ConsulName, subset: string | undefined, share: number, k8sNamespace: string, options: TranslateOptions, out: Map<string, number>, depth: number): void {
  const splitter = subset === undefined && depth < 8 ? entry(resources, SERVICE_SPLITTER, name, options) : undefined;
  if (!splitter) {
    const key = `${name.namespace ?? k8sNamespace}/${name.name}`;
    out.set(key, (out.get(key) ?? 0) + share);
    return;
  }
  for (const s of splitter.splits) {
    if (s.weight <= 0) continue;
    const target: ConsulName = mirrored(options) ? { name: s.service, namespace: s.namespace ?? name.namespace ?? DEFAULT_NS } : { name: s.service };
    // A split to the splitter's own service goes to its resolver, not to itself again.
    const self = s.service === name.name && nsOf(target) === nsOf(name);
    if (self) out.set(`${name.namespace ?? k8sNamespace}/${name.name}`, (out.get(`${name.namespace ?? k8sNamespace}/${name.name}`) ?? 0) + (share * s.weight) / 100);
    else resolve(resources, target, s.serviceSubset, (share * s.weight) / 100, k8sNamespace, options, out, depth + 1);
  }
}

export function evaluateConsulRoute(resources: readonly MeshResource[], request: RouteRequest, options: TranslateOptions): MeshRoute {
  const root = consulName(request.service.namespace, request.service.name, options);
  const protocol = protocolOf(resources, root, options);
  const reasons: string[] = [];
  let target: { name: ConsulName; subset?: string } = { name: root };
  if (protocol === 'http') {
    if (request.protocol !== 'http' || !request.http) return { backends: [], reasons: [`${root.name} speaks http: raw ${request.protocol.toUpperCase()} is not carried`] };
    const http = request.http;
    const router = entry(resources, SERVICE_ROUTER, root, options);
    const hit = router?.routes.find((r) => consulMatchFits(r.match.http, http));
    if (hit) {
      target = { name: mirrored(options) ? { name: hit.destination.service, namespace: hit.destination.namespace ?? nsOf(root) } : { name: hit.destination.service }, ...(hit.destination.serviceSubset ? { subset: hit.destination.serviceSubset } : {}) };
      reasons.push(`router ${root.name}: route to ${hit.destination.service}`);
    } else if (router) reasons.push(`router ${root.name}: no route matches; the default goes to ${root.name}`);
  }
  const out = new Map<string, number>();
  resolve(resources, target.name, target.subset, 1, request.service.namespace, options, out, 0);
  return { backends: [...out].map(([service, share]) => ({ service, share })), reasons: [...reasons, `resolved to ${[...out.keys()].join(', ')}`] };
}
