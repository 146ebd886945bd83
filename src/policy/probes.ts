/**
 * A finite set of telling requests for a model: every caller (and an unauthenticated one) against
 * every destination, on the ports and protocols its rules and workloads name, with paths, methods
 * and headers taken from its matches (and from just outside them). Used to compare meshes.
 */
import { identityKey, type CompiledMatch, type Identity, type PolicyModel } from './model.js';
import { httpParts, UNAUTHENTICATED, type AccessRequest, type RouteRequest } from './request.js';
import { regexForms } from './regex-forms.js';
import { regexWitnesses } from './regex-witnesses.js';
import { servicesSelecting, workloadsOf } from './inventory.js';

const asPath = (s: string) => (s.startsWith('/') ? s : `/${s}`);
/** Sample paths per destination, at most: witnesses of many matches must not multiply without end. */
const MAX_PATHS = 32;

function samplePaths(matches: readonly CompiledMatch[]): string[] {
  const out = new Set(['/', '/unlisted']);
  for (const m of matches) {
    // Inside and just outside the regex, whatever its shape (derived from its RE2 syntax).
    if (m.pathRegex !== undefined) {
      const w = regexWitnesses(m.pathRegex, asPath);
      for (const p of [...w.inside.slice(0, 2), ...w.outside.slice(0, 2)]) out.add(p);
      const first = w.inside[0];
      if (first) out.add(`/unlisted?q=${first}`);
    }
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
  return [...out].filter((p) => p.startsWith('/')).slice(0, MAX_PATHS);
}

/** A value the header regex matches, and one just outside it (from its RE2 syntax; literal forms first). */
function headerValues(regex: string): { inside?: string; outside?: string } {
  const forms = regexForms(regex);
  const w = regexWitnesses(regex);
  const literal = forms.kind === 'literals' ? forms.forms[0]?.value : undefined;
  const inside = literal !== undefined && w.inside.includes(literal) ? literal : w.inside[0];
  return { ...(inside !== undefined ? { inside } : {}), ...(w.outside[0] !== undefined ? { outside: w.outside[0] } : {}) };
}

/** Header sets: none; for each match, every header inside its regex; and each header in turn just outside. */
function sampleHeaders(matches: readonly CompiledMatch[]): [string, string][][] {
  const sets = new Map<string, [string, string][]>([['[]', []]]);
  const add = (pairs: [string, string][]) => void sets.set(JSON.stringify(pairs), pairs);
  for (const m of matches) {
    if (m.headers.length === 0) continue;
    // A header named twice in one match (OSM's list form) must fit every regex given for it: its value
    // inside is one that does, from any of their witnesses.
    const byName = new Map<string, CompiledMatch['headers'][number][]>();
    for (const h of m.headers) byName.set(h.name, [...(byName.get(h.name) ?? []), h]);
    const values = [...byName].map(([name, hs]) => {
      const candidates = hs.flatMap((h) => [headerValues(h.regex).inside, ...regexWitnesses(h.regex).inside]).filter((c): c is string => c !== undefined);
      const inside = candidates.find((c) => hs.every((h) => h.matches(c))) ?? candidates[0];
      const outside = hs.map((h) => headerValues(h.regex).outside).find((o) => o !== undefined);
      return { name, ...(inside !== undefined ? { inside } : {}), ...(outside !== undefined ? { outside } : {}) };
    });
    const inside = values.map((v): [string, string] => [v.name, v.inside ?? 'x']);
    add(inside);
    values.forEach((v, i) => {
      if (v.outside !== undefined) add(inside.map((pair, j): [string, string] => (j === i ? [v.name, v.outside!] : pair)));
    });
    if (sets.size > 12) break;
  }
  return [...sets.values()];
}

/** Ports of the destination's pods as every layer names them: declared, the Services' targetPorts (named ones resolved) and ports. */
function destinationPorts(model: PolicyModel, destination: Identity): number[] {
  const ports = new Set<number>();
  const workloads = workloadsOf(model.inventory, destination.namespace, destination.name);
  for (const w of workloads) w.ports.forEach((p) => ports.add(p.port));
  for (const s of servicesSelecting(model.inventory, workloads)) {
    for (const p of s.ports) {
      ports.add(p.port);
      if (typeof p.targetPort === 'number') ports.add(p.targetPort);
      else if (typeof p.targetPort === 'string') for (const w of workloads) for (const c of w.ports) if (c.name === p.targetPort) ports.add(c.port);
    }
  }
  return [...ports];
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
  /** One caller only (whichever `callers` says): what is asked of every destination on its behalf. */
  readonly source?: Identity | typeof UNAUTHENTICATED;
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
    const callers = options.source !== undefined ? [options.source] : options.callers === 'telling' ? tellingCallers(model, destination, byNamespace) : everyone;
    const out: AccessRequest[] = [];
    const policy = model.destinations.get(identityKey(destination));
    const matches = policy?.targets.flatMap((t) => t.httpMatches) ?? [];
    const ports = new Set<number>();
    for (const t of policy?.targets ?? []) {
      for (const set of [t.tcpPorts, t.udpPorts]) if (set && set !== 'all') set.forEach((p) => ports.add(p));
      if (t.legacyPort !== undefined) ports.add(t.legacyPort);
    }
    destinationPorts(model, destination).forEach((p) => ports.add(p));
    // And one port nothing names: where SMI grants every port, a mesh that names ports differs there.
    const other = [80, 8080, 9999, 12345].find((p) => !ports.has(p));
    const portList = [...ports, ...(other !== undefined ? [other] : [])].sort((a, b) => a - b);
    // Every method a match names, and methods none names (a class each: safe, unsafe, another).
    const methods = [...new Set(['GET', 'POST', 'DELETE', ...matches.flatMap((m) => (m.methods ? [...m.methods] : []))])];
    // The HTTP parts depend on the destination's matches alone: worked out (regex witnesses and all) once, not per caller and port.
    const paths = samplePaths(matches);
    const headerSets = sampleHeaders(matches);
    const requests = paths.flatMap((path) => methods.flatMap((method) => headerSets.map((headers) => httpParts(method, path, headers))));
    for (const source of callers) {
      for (const port of portList) {
        for (const protocol of ['tcp', 'udp'] as const) out.push({ source, destination, port, protocol });
        for (const http of requests) out.push({ source, destination, port, protocol: 'http', http });
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
