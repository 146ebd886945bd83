/**
 * A finite set of telling requests for a model: every caller (and an unauthenticated one) against
 * every destination, on the ports and protocols its rules and workloads name, with paths, methods
 * and headers taken from its matches (and from just outside them). Used to compare meshes.
 */
import { identityKey, type CompiledMatch, type Identity, type PolicyModel } from './model.js';
import { httpParts, UNAUTHENTICATED, type AccessRequest, type RouteRequest } from './request.js';
import { regexForms } from './regex-forms.js';

function samplePaths(matches: readonly CompiledMatch[]): string[] {
  const out = new Set(['/', '/unlisted']);
  for (const m of matches) {
    const forms = regexForms(m.pathRegex);
    if (forms.kind === 'literals') for (const f of forms.forms) {
      out.add(f.value || '/');
      if (f.kind === 'prefix') out.add(`${f.value}/x`);
      out.add(`${f.value}x`);
      // A query string never decides (SMI matches the path alone): with one, and with the path in it.
      out.add(`${f.value || '/'}?q=1`);
      out.add(`/unlisted?q=${f.value}`);
    }
  }
  return [...out].filter((p) => p.startsWith('/'));
}

function sampleHeaders(matches: readonly CompiledMatch[]): [string, string][][] {
  const sets: [string, string][][] = [[]];
  for (const m of matches) {
    const pairs: [string, string][] = [];
    for (const h of m.headers) {
      const forms = regexForms(h.regex);
      pairs.push([h.name, forms.kind === 'literals' ? (forms.forms[0]?.value ?? 'x') : 'x']);
    }
    if (pairs.length > 0) sets.push(pairs);
  }
  return sets;
}

export interface ProbeOptions {
  /**
   * 'all' (the default): every identity calls every destination — exhaustive, and quadratic in the
   * identities. 'telling': per destination, the callers SMI grants, one caller it does not grant from
   * the destination's namespace and from each granted caller's namespace, one from elsewhere, and an
   * unauthenticated one — what tells a translation's decisions apart, linear in the identities.
   */
  readonly callers?: 'all' | 'telling';
  /** Only these destinations. */
  readonly destinations?: (destination: Identity) => boolean;
}

type Caller = Identity | typeof UNAUTHENTICATED;

function tellingCallers(model: PolicyModel, destination: Identity, byNamespace: ReadonlyMap<string, readonly Identity[]>): Caller[] {
  const granted = new Map<string, Identity>();
  for (const t of model.destinations.get(identityKey(destination))?.targets ?? []) for (const s of t.sources) granted.set(identityKey(s), s);
  const out: Caller[] = [...granted.values()];
  const namespaces = new Set([destination.namespace, ...[...granted.values()].map((s) => s.namespace)]);
  for (const ns of namespaces) {
    const other = byNamespace.get(ns)?.find((i) => !granted.has(identityKey(i)));
    if (other) out.push(other);
  }
  for (const [ns, identities] of byNamespace) {
    if (namespaces.has(ns)) continue;
    const other = identities.find((i) => !granted.has(identityKey(i)));
    if (other) {
      out.push(other);
      break;
    }
  }
  out.push(UNAUTHENTICATED);
  return out;
}

export function accessProbes(model: PolicyModel, options: ProbeOptions = {}): AccessRequest[] {
  const out: AccessRequest[] = [];
  for (const [, probes] of probesByDestination(model, options)) for (const p of probes) out.push(p);
  return out;
}

/** The telling requests one destination at a time (callers can pace the work, or stop). */
export function* probesByDestination(model: PolicyModel, options: ProbeOptions = {}): Generator<[Identity, AccessRequest[]]> {
  const everyone: Caller[] = [...model.identities, UNAUTHENTICATED];
  const byNamespace = new Map<string, Identity[]>();
  if (options.callers === 'telling') {
    for (const i of [...model.identities].sort((a, b) => identityKey(a).localeCompare(identityKey(b)))) {
      const list = byNamespace.get(i.namespace);
      if (list) list.push(i);
      else byNamespace.set(i.namespace, [i]);
    }
  }
  const destinations = new Map<string, Identity>();
  for (const d of model.destinations.values()) destinations.set(identityKey(d.identity), d.identity);
  for (const w of model.inventory.workloads) destinations.set(`${w.namespace}/${w.serviceAccount}`, { namespace: w.namespace, name: w.serviceAccount });
  for (const destination of destinations.values()) {
    if (options.destinations && !options.destinations(destination)) continue;
    const callers = options.callers === 'telling' ? tellingCallers(model, destination, byNamespace) : everyone;
    const out: AccessRequest[] = [];
    const policy = model.destinations.get(identityKey(destination));
    const matches = policy?.targets.flatMap((t) => t.httpMatches) ?? [];
    const ports = new Set<number>();
    for (const t of policy?.targets ?? []) {
      for (const set of [t.tcpPorts, t.udpPorts]) if (set && set !== 'all') set.forEach((p) => ports.add(p));
      if (t.legacyPort !== undefined) ports.add(t.legacyPort);
    }
    for (const w of model.inventory.workloads) if (w.namespace === destination.namespace && w.serviceAccount === destination.name) w.ports.forEach((p) => ports.add(p.port));
    const portList = ports.size > 0 ? [...ports].sort((a, b) => a - b) : [80];
    const methods = [...new Set(['GET', ...matches.flatMap((m) => (m.methods ? [...m.methods] : ['POST']))])];
    for (const source of callers) {
      for (const port of portList) {
        for (const protocol of ['tcp', 'udp'] as const) out.push({ source, destination, port, protocol });
        for (const path of samplePaths(matches)) for (const method of methods) for (const headers of sampleHeaders(matches)) {
          out.push({ source, destination, port, protocol: 'http', http: httpParts(method, path, headers) });
        }
      }
    }
    yield [destination, out];
  }
}

/** How many destinations probesByDestination will visit (for progress). */
export function probeDestinationCount(model: PolicyModel, options: Pick<ProbeOptions, 'destinations'> = {}): number {
  const keys = new Set<string>();
  for (const d of model.destinations.values()) if (!options.destinations || options.destinations(d.identity)) keys.add(identityKey(d.identity));
  for (const w of model.inventory.workloads) if (!options.destinations || options.destinations({ namespace: w.namespace, name: w.serviceAccount })) keys.add(`${w.namespace}/${w.serviceAccount}`);
  return keys.size;
}

export function routeProbes(model: PolicyModel): RouteRequest[] {
  const out: RouteRequest[] = [];
  for (const split of model.splits.values()) {
    const root = model.inventory.services.get(`${split.namespace}/${split.service}`);
    const ports: (number | undefined)[] = root ? root.ports.map((p) => p.port) : [undefined];
    const matches = split.matches ?? [];
    for (const port of ports) {
      out.push({ service: { namespace: split.namespace, name: split.service }, protocol: 'tcp', ...(port !== undefined ? { port } : {}) });
      for (const path of samplePaths(matches)) for (const headers of sampleHeaders(matches)) {
        out.push({ service: { namespace: split.namespace, name: split.service }, protocol: 'http', ...(port !== undefined ? { port } : {}), http: httpParts('GET', path, headers) });
      }
    }
  }
  return out;
}
