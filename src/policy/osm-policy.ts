/**
 * OSM's own policy API (policy.openservicemesh.io/v1alpha1), which clusters leaving OSM still hold
 * beside their SMI objects. IngressBackend lets an ingress controller reach mesh backends; under
 * SMI's deny-by-default, dropping it would cut the ingress off, so its grants join the policy model
 * where they can be said as identity grants, and everything that cannot is an error naming it.
 *
 * OSM's meaning, from its control plane (pkg/catalog/ingress.go, OSM v1.2):
 * - a backend is a Service of the IngressBackend's namespace and `port.number` is that Service's
 *   *target* port (OSM compares it with the MeshService's TargetPort);
 * - a `Service` source stands for the IP addresses of that Service's endpoints; an `IPRange`
 *   source for a CIDR; an `AuthenticatedPrincipal` (`<sa>.<namespace>.<trust domain>`) for a client
 *   certificate, checked only on `https` backends with client validation on;
 * - on `http` backends OSM admits any identity from the source addresses (it cannot verify one);
 * - `matches` is accepted and ignored (OSM never implemented it), so every request is allowed.
 *
 * smi grants by identity, not by address: a `Service` source becomes the ServiceAccounts its pods run
 * as — only when every pod running as such a ServiceAccount is behind that Service, else the grant
 * would reach pods OSM never admitted (refused, fail closed). IP ranges and "any client" cannot be
 * said as identities: errors. The grant allows HTTP on the target port (raw TCP is not granted,
 * as OSM's ingress filter chain speaks HTTP only).
 */
import type { Diagnostic, Severity } from '../api/diagnostic.js';
import type { KubeObject } from '../api/objects.js';
import { isRecord } from '../api/object.js';
import { compileMatch } from './http-match.js';
import { selects, type Inventory, type Service } from './inventory.js';
import { identityKey, type Identity, type Provenance, type TargetPolicy, type Workload } from './model.js';
import type { Scope } from './scope.js';

export const OSM_POLICY_GROUP = 'policy.openservicemesh.io';

/** What the policy model takes from OSM's policy objects. */
export interface OsmPolicies {
  /** Grants in the shape of resolved TrafficTargets (ref.kind IngressBackend). */
  readonly grants: readonly TargetPolicy[];
  readonly diagnostics: readonly Diagnostic[];
}

const isOsmPolicy = (o: KubeObject): boolean => o.apiVersion.startsWith(`${OSM_POLICY_GROUP}/`);

/** Every OSM policy object in the input: IngressBackend read, the rest named as not carried. */
export function readOsmPolicies(objects: readonly KubeObject[], inventory: Inventory, scope: Scope): OsmPolicies {
  const grants: TargetPolicy[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const o of objects) {
    if (!isOsmPolicy(o)) continue;
    const report = (severity: Severity, code: string, path: string, message: string): void => {
      diagnostics.push({ severity, code, path, message, file: o.origin.file, line: o.origin.line, column: o.origin.column, object: `${o.kind}/${o.namespace}/${o.name}` });
    };
    if (o.apiVersion !== `${OSM_POLICY_GROUP}/v1alpha1`) {
      report('error', 'OSM_POLICY_UNKNOWN_VERSION', 'apiVersion', `${o.apiVersion} is not a version smi reads (only ${OSM_POLICY_GROUP}/v1alpha1): whatever it grants is not carried (narrower)`);
      continue;
    }
    if (!scope.namespaces.has(o.namespace)) {
      report('warning', 'SMI_OUT_OF_SCOPE', '', `namespace ${o.namespace} is outside smi's scope (${scope.why.get(o.namespace) ?? 'not named'}), so this ${o.kind} is not carried`);
      continue;
    }
    switch (o.kind) {
      case 'IngressBackend':
        grants.push(...ingressGrants(o, inventory, report));
        break;
      case 'Egress':
        report('error', 'OSM_EGRESS_NOT_CARRIED', 'spec',
          `${describeEgress(o)}: smi translates no egress policy, so on the new mesh whether these callers reach it is decided by the mesh's own outbound setting ` +
          '(which may allow more or less than OSM did). Configure the mesh\'s egress (its outbound traffic policy and external service entries) before you remove OSM');
        break;
      default:
        report('warning', 'OSM_POLICY_NOT_CARRIED', '', `${o.kind} is OSM's own resilience or routing setting, not access policy; smi does not translate it, so the new mesh runs without it`);
    }
  }
  return { grants, diagnostics };
}

type Report = (severity: Severity, code: string, path: string, message: string) => void;

function describeEgress(o: KubeObject): string {
  const spec = isRecord(o.object.spec) ? o.object.spec : {};
  const names = (list: unknown, key: string): string[] => (Array.isArray(list) ? list.flatMap((x) => (isRecord(x) && typeof x[key] === 'string' ? [String(x[key])] : typeof x === 'string' ? [x] : [])) : []);
  const sources = (Array.isArray(spec.sources) ? spec.sources : []).flatMap((s) => (isRecord(s) && typeof s.name === 'string' ? [`${typeof s.namespace === 'string' ? s.namespace : o.namespace}/${s.name}`] : []));
  const hosts = [...names(spec.hosts, 'host'), ...names(spec.ipAddresses, 'ip')];
  const ports = Array.isArray(spec.ports) ? spec.ports.flatMap((p) => (isRecord(p) && typeof p.number === 'number' ? [String(p.number)] : [])) : [];
  return `Egress ${o.namespace}/${o.name} lets ${sources.length > 0 ? sources.join(', ') : 'its sources'} reach ${hosts.length > 0 ? hosts.join(', ') : 'destinations outside the mesh'}${ports.length > 0 ? ` on port ${ports.join(', ')}` : ''}`;
}

interface Backend {
  readonly index: number;
  readonly service: string;
  readonly port: number;
  readonly protocol: string;
  readonly skipClientCertValidation: boolean;
}

/** The spec's shape, checked field by field: a malformed IngressBackend grants nothing. */
function backendsOf(spec: Record<string, unknown>, report: Report): Backend[] | undefined {
  if (!Array.isArray(spec.backends) || spec.backends.length === 0) {
    report('error', 'OSM_INGRESS_BACKEND_INVALID', 'spec.backends', 'spec.backends must list at least one backend; this IngressBackend grants nothing');
    return undefined;
  }
  const out: Backend[] = [];
  for (const [i, b] of spec.backends.entries()) {
    const at = `spec.backends[${i}]`;
    const port = isRecord(b) && isRecord(b.port) ? b.port : undefined;
    const protocol = typeof port?.protocol === 'string' ? port.protocol.toLowerCase() : undefined;
    if (!isRecord(b) || typeof b.name !== 'string' || b.name === '') report('error', 'OSM_INGRESS_BACKEND_INVALID', `${at}.name`, 'a backend names a Service of this namespace; this backend grants nothing');
    else if (!port || typeof port.number !== 'number' || !Number.isInteger(port.number) || port.number < 1 || port.number > 65535) report('error', 'OSM_INGRESS_BACKEND_INVALID', `${at}.port.number`, 'port.number must be a whole number from 1 to 65535 (the Service\'s target port); this backend grants nothing');
    else if (protocol !== 'http' && protocol !== 'https') report('error', 'OSM_INGRESS_BACKEND_INVALID', `${at}.port.protocol`, `port.protocol must be http or https, got ${JSON.stringify(port.protocol)}; this backend grants nothing`);
    else {
      const tls = isRecord(b.tls) ? b.tls : {};
      out.push({ index: i, service: b.name, port: port.number as number, protocol, skipClientCertValidation: tls.skipClientCertValidation === true });
    }
  }
  return out;
}

/** The target ports a Service's ports lead to on these workloads (named target ports resolved by container port name). */
function targetPorts(service: Service, workloads: readonly Workload[]): Set<number> {
  const out = new Set<number>();
  for (const p of service.ports) {
    if (p.targetPort === undefined) out.add(p.port);
    else if (typeof p.targetPort === 'number') out.add(p.targetPort);
    else for (const w of workloads) for (const c of w.ports) if (c.name === p.targetPort) out.add(c.port);
  }
  return out;
}

const selectedBy = (inventory: Inventory, service: Service): Workload[] =>
  inventory.workloads.filter((w) => w.namespace === service.namespace && selects(service.selector, w.labels));

/**
 * The identities a `Service` source stands for: the ServiceAccounts of the pods behind it, each only
 * when no pod outside the Service runs as it (granting the identity would admit those pods too).
 */
function serviceSource(inventory: Inventory, namespace: string, name: string, at: string, report: Report): Identity[] {
  const service = inventory.services.get(`${namespace}/${name}`);
  if (!service) {
    report('error', 'OSM_INGRESS_SOURCE_UNKNOWN', at,
      `source Service ${namespace}/${name} is not in the input, so smi cannot tell which identities run behind it and grants it nothing (narrower). ` +
      `Add it and its workloads to the input (kubectl get svc,deploy,sa -n ${namespace} -o yaml), or name the ingress's identity as an AuthenticatedPrincipal`);
    return [];
  }
  const behind = selectedBy(inventory, service);
  if (behind.length === 0) {
    report('error', 'OSM_INGRESS_SOURCE_UNKNOWN', at, `no workload in the input is behind source Service ${namespace}/${name}, so it grants nothing (narrower); add the ingress controller's Deployment to the input`);
    return [];
  }
  const out: Identity[] = [];
  for (const sa of [...new Set(behind.map((w) => w.serviceAccount))].sort()) {
    const others = inventory.workloads.filter((w) => w.namespace === namespace && w.serviceAccount === sa && !behind.includes(w));
    if (others.length > 0) {
      report('error', 'OSM_INGRESS_IDENTITY_WIDER', at,
        `source Service ${namespace}/${name} runs as ServiceAccount ${namespace}/${sa}, which ${others.map((w) => `${w.kind} ${w.name}`).join(', ')} also run(s) as without being behind the Service: ` +
        `granting the identity would admit them too, so it is not granted (narrower). Give the ingress controller a ServiceAccount of its own`);
      continue;
    }
    out.push({ namespace, name: sa });
  }
  return out;
}

/** `<sa>.<namespace>.<trust domain>`: the split whose namespace the input knows (ServiceAccount names may hold dots). */
function principalIdentity(principal: string, known: ReadonlySet<string>): Identity | undefined {
  const labels = principal.split('.');
  const candidates: Identity[] = [];
  for (let i = 1; i + 1 < labels.length; i++) {
    const namespace = labels[i] as string;
    if (known.has(namespace)) candidates.push({ namespace, name: labels.slice(0, i).join('.') });
  }
  return candidates.length === 1 ? candidates[0] : undefined;
}

function ingressGrants(o: KubeObject, inventory: Inventory, report: Report): TargetPolicy[] {
  const spec = isRecord(o.object.spec) ? o.object.spec : {};
  const backends = backendsOf(spec, report);
  if (!backends) return [];
  if (!Array.isArray(spec.sources) || spec.sources.length === 0) {
    report('error', 'OSM_INGRESS_BACKEND_INVALID', 'spec.sources', 'spec.sources must list at least one source; this IngressBackend grants nothing');
    return [];
  }
  const known = new Set([...inventory.namespaces.keys(), ...inventory.workloads.map((w) => w.namespace), ...[...inventory.serviceAccounts].map((k) => k.split('/')[0] ?? '')]);
  const ref: Provenance = { kind: o.kind, namespace: o.namespace, name: o.name, file: o.origin.file, line: o.origin.line };
  const byService: Identity[] = [];
  const byPrincipal: Identity[] = [];
  const ipRanges: string[] = [];
  for (const [i, s] of spec.sources.entries()) {
    const at = `spec.sources[${i}]`;
    if (!isRecord(s) || typeof s.name !== 'string' || s.name === '') {
      report('error', 'OSM_INGRESS_BACKEND_INVALID', `${at}.name`, 'a source needs a name; this source grants nothing');
      continue;
    }
    if (s.kind === 'Service') {
      if (typeof s.namespace !== 'string' || s.namespace === '') report('error', 'OSM_INGRESS_BACKEND_INVALID', `${at}.namespace`, 'a Service source needs its namespace (OSM requires it); this source grants nothing');
      else byService.push(...serviceSource(inventory, s.namespace, s.name, at, report));
    } else if (s.kind === 'AuthenticatedPrincipal') {
      const identity = principalIdentity(s.name, known);
      if (identity) byPrincipal.push(identity);
      else report('error', 'OSM_INGRESS_PRINCIPAL_UNKNOWN', `${at}.name`, `principal ${JSON.stringify(s.name)} is not <serviceaccount>.<namespace>.<trust domain> of a namespace the input holds; it grants nothing (narrower)`);
    } else if (s.kind === 'IPRange') {
      ipRanges.push(s.name);
    } else {
      report('error', 'OSM_INGRESS_BACKEND_INVALID', `${at}.kind`, `source kind must be Service, AuthenticatedPrincipal or IPRange, got ${JSON.stringify(s.kind)}; this source grants nothing`);
    }
  }
  if (byService.length > 0) {
    report('warning', 'OSM_INGRESS_NEEDS_MESH_IDENTITY', 'spec.sources',
      `OSM admitted ${byService.map(identityKey).join(', ')} by address, without mesh identity; smi grants their mesh identity, so the ingress controller must run in the new mesh (its proxy injected) to keep access`);
  }
  if (ipRanges.length > 0) {
    report('error', 'OSM_INGRESS_IP_RANGE_NOT_CARRIED', 'spec.sources',
      `IP range(s) ${ipRanges.join(', ')} are admitted by address; smi grants by mesh identity only, so callers from those addresses are not granted (narrower). ` +
      'Name the callers as a Service source (with their workloads in the input) or an AuthenticatedPrincipal, or admit the range with the mesh\'s own policy');
  }
  const out: TargetPolicy[] = [];
  const any = compileMatch(ref, { name: 'any-request' });
  for (const b of backends) {
    const at = `spec.backends[${b.index}]`;
    const service = inventory.services.get(`${o.namespace}/${b.service}`);
    if (!service) {
      report('error', 'OSM_INGRESS_BACKEND_UNKNOWN', `${at}.name`, `backend Service ${o.namespace}/${b.service} is not in the input, so smi cannot tell whose pods it leads to; nothing is granted for it (narrower). Add the Service and its workloads to the input`);
      continue;
    }
    const behind = selectedBy(inventory, service);
    if (!targetPorts(service, behind).has(b.port)) {
      report('warning', 'OSM_INGRESS_PORT_UNMATCHED', `${at}.port.number`, `no port of Service ${o.namespace}/${b.service} has target port ${b.port} (OSM matches port.number with the target port), so OSM granted nothing here and neither does smi`);
      continue;
    }
    const sources = new Map<string, Identity>();
    for (const i of byService) sources.set(identityKey(i), i);
    if (b.protocol === 'https' && b.skipClientCertValidation) {
      report('error', 'OSM_INGRESS_ANY_CLIENT_NOT_CARRIED', `${at}.tls.skipClientCertValidation`,
        `with skipClientCertValidation OSM admits any client certificate on ${b.service}:${b.port}${byService.length + ipRanges.length > 0 ? ' from the source addresses' : ''}; smi grants named identities only, so its principals are not granted and the other clients lose access (narrower)`);
    } else if (b.protocol === 'http') {
      if (byPrincipal.length > 0) {
        report('warning', 'OSM_INGRESS_HTTP_PRINCIPAL', `${at}.port.protocol`,
          `on an http backend OSM cannot verify identities and admits any caller from the source addresses${byService.length + ipRanges.length === 0 ? ' (with no Service or IPRange source: any caller at all)' : ''}; smi grants only the named principal(s) ${byPrincipal.map(identityKey).join(', ')} (narrower)`);
      }
      for (const i of byPrincipal) sources.set(identityKey(i), i);
    } else {
      for (const i of byPrincipal) sources.set(identityKey(i), i);
    }
    if (sources.size === 0) continue;
    for (const sa of [...new Set(behind.map((w) => w.serviceAccount))].sort()) {
      const others = inventory.workloads.filter((w) => w.namespace === o.namespace && w.serviceAccount === sa && !behind.includes(w));
      if (others.length > 0) {
        report('error', 'OSM_INGRESS_IDENTITY_WIDER', `${at}.name`,
          `backend Service ${o.namespace}/${b.service} runs as ServiceAccount ${o.namespace}/${sa}, as do ${others.map((w) => `${w.kind} ${w.name}`).join(', ')} outside the Service: ` +
          'mesh policy is per identity, so granting the ingress would open them too; nothing is granted for it (narrower). Give the backend a ServiceAccount of its own');
        continue;
      }
      out.push({
        ref, destination: { namespace: o.namespace, name: sa }, sources: [...sources.values()],
        hasHttpRules: true, httpMatches: [any], tcpPorts: new Set([b.port]), unresolved: [],
      });
    }
    if (behind.length === 0) {
      report('info', 'SMI_DESTINATION_HAS_NO_WORKLOADS', `${at}.name`, `no workload in the input is behind backend Service ${o.namespace}/${b.service}; nothing is granted until one is`);
    }
  }
  return out;
}
