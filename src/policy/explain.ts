/** explain(model, destination): who may call a destination on what, and how its services split. */
import { identityKey, provenanceLabel, provenanceWhere, type Identity, type PolicyModel, type PortSet, type TargetPolicy } from './model.js';
import { servicesSelecting, workloadsOf } from './inventory.js';
import { distribute } from './route.js';

/** What a row grants, as data (for -o json|yaml): the display strings below say the same for a table. */
export interface AccessGrant {
  /** Ports on the destination: every port, these, or none (a legacy port outside the route's ports). */
  readonly ports: 'all' | 'none' | readonly number[];
  /** HTTP: the methods allowed; absent: any method. */
  readonly methods?: readonly string[];
  /** HTTP: the pathRegex, anchored at the start; absent: any path. */
  readonly pathRegex?: string;
  /** HTTP: header regexes that must all match (anchored at the start). */
  readonly headers?: readonly { readonly name: string; readonly regex: string }[];
}

export interface AccessRow {
  readonly grant: AccessGrant;
  readonly source: string;
  readonly protocol: 'http' | 'tcp' | 'udp';
  readonly ports: string;
  readonly methods: string;
  readonly path: string;
  readonly headers: string;
  readonly via: string;
  readonly where: string;
}

export interface SplitRow {
  readonly service: string;
  readonly split: string;
  readonly where: string;
  readonly appliesTo: string;
  readonly backends: readonly { service: string; weight: number; share: number }[];
  readonly notes: readonly string[];
}

export interface Explanation {
  readonly destination: string;
  readonly mode: PolicyModel['mode'];
  /** What happens to callers no row allows. */
  readonly otherwise: string;
  /** Whether smi governs the destination's namespace, and why (scope.ts). */
  readonly scope: { readonly inScope: boolean; readonly why: string };
  readonly workloads: readonly string[];
  readonly services: readonly string[];
  readonly access: readonly AccessRow[];
  readonly splits: readonly SplitRow[];
  readonly notes: readonly string[];
}

function portsText(target: TargetPolicy, l4: PortSet | undefined): string {
  const set = l4 === undefined || l4 === 'all' ? 'all' : [...l4].sort((a, b) => a - b).join(',');
  if (target.legacyPort === undefined) return set;
  if (set === 'all' || set.split(',').includes(String(target.legacyPort))) return String(target.legacyPort);
  return 'none';
}

function portsData(target: TargetPolicy, l4: PortSet | undefined): AccessGrant['ports'] {
  const text = portsText(target, l4);
  return text === 'all' || text === 'none' ? text : text.split(',').map(Number);
}

function rowsOf(target: TargetPolicy): AccessRow[] {
  const rows: AccessRow[] = [];
  const via = provenanceLabel(target.ref);
  const where = provenanceWhere(target.ref);
  for (const source of target.sources) {
    const src = identityKey(source);
    if (target.hasHttpRules) {
      for (const m of target.httpMatches) {
        rows.push({
          grant: {
            ports: portsData(target, target.tcpPorts),
            ...(m.methods ? { methods: [...m.methods] } : {}),
            ...(m.pathRegex !== undefined ? { pathRegex: m.pathRegex } : {}),
            headers: m.headers.map((h) => ({ name: h.name, regex: h.regex })),
          },
          source: src, protocol: 'http', ports: portsText(target, target.tcpPorts),
          methods: m.methods ? [...m.methods].join(',') : '*',
          path: m.pathRegex !== undefined ? `^${m.pathRegex}` : '*',
          headers: m.headers.map((h) => `${h.name}=~^${h.regex}`).join(' ') || '-',
          via: `${via} (${m.group.name}/${m.name})`, where,
        });
      }
    } else if (target.tcpPorts !== undefined) {
      rows.push({ grant: { ports: portsData(target, target.tcpPorts) }, source: src, protocol: 'tcp', ports: portsText(target, target.tcpPorts), methods: '-', path: '-', headers: '-', via, where });
    }
    if (target.udpPorts !== undefined) {
      rows.push({ grant: { ports: portsData(target, target.udpPorts) }, source: src, protocol: 'udp', ports: portsText(target, target.udpPorts), methods: '-', path: '-', headers: '-', via, where });
    }
  }
  return rows;
}

export function explain(model: PolicyModel, destination: Identity): Explanation {
  const key = identityKey(destination);
  const policy = model.destinations.get(key);
  const notes: string[] = [];
  for (const t of policy?.targets ?? []) for (const u of t.unresolved) notes.push(`${provenanceLabel(t.ref)}: ${u}; that rule allows nothing`);
  const workloads = workloadsOf(model.inventory, destination.namespace, destination.name);
  const services = servicesSelecting(model.inventory, workloads);
  const serviceKeys = new Set(services.map((s) => `${s.namespace}/${s.name}`));
  if (model.splits.has(key)) serviceKeys.add(key);
  // Splits whose root or backends are this destination's services.
  for (const [root, split] of model.splits) {
    if (split.backends.some((b) => serviceKeys.has(`${split.namespace}/${b.service}`))) serviceKeys.add(root);
  }
  const splits: SplitRow[] = [];
  for (const root of [...serviceKeys].sort()) {
    const split = model.splits.get(root);
    if (!split) continue;
    const shares = distribute(model, split, undefined);
    splits.push({
      service: root,
      split: provenanceLabel(split.ref),
      where: provenanceWhere(split.ref),
      appliesTo: split.matches === undefined ? 'every request' : `HTTP requests fitting ${[...new Set(split.matches.map((m) => `${m.group.name}/${m.name}`))].join(', ') || 'nothing (no match resolves)'}`,
      backends: split.backends.map((b) => ({
        service: b.service,
        weight: b.weight,
        share: shares.backends.find((r) => r.service === `${split.namespace}/${b.service}`)?.share ?? 0,
      })),
      notes: [...shares.reasons.filter((r) => !r.endsWith('weight 0')), ...(shares.backends.length === 0 ? ['no backend can take traffic: the root service serves it'] : [])],
    });
  }
  let otherwise: string;
  const inside = model.scope.namespaces.has(destination.namespace);
  const why = model.scope.why.get(destination.namespace) ?? 'the input does not mention it';
  if (!inside) otherwise = `nothing: namespace ${destination.namespace} is outside smi's scope (${why}); smi writes nothing there and the mesh's own configuration decides`;
  else if (model.mode === 'permissive') otherwise = 'permissive mode: every caller is allowed; the rows below are not enforced';
  else if (!policy && model.mode === 'per-destination' && !model.lockedDown.has(key)) otherwise = 'no TrafficTarget names it: per-destination mode leaves it to the mesh default (allow)';
  else otherwise = 'every other request is denied';
  return {
    destination: key,
    mode: model.mode,
    otherwise,
    scope: { inScope: inside, why },
    workloads: workloads.map((w) => `${w.kind}/${w.name}`),
    services: services.map((s) => `${s.namespace}/${s.name}`),
    access: (policy?.targets ?? []).flatMap(rowsOf),
    splits,
    notes,
  };
}
