/**
 * Resolution: valid SMI objects + inventory → PolicyModel. Invalid objects take no part (fail closed);
 * a rule whose route object is missing grants nothing and is recorded as unresolved.
 */
import { rootServiceShortName } from '../api/names.js';
import type { ValidatedSet } from '../api/validate.js';
import type { SmiObject } from '../api/objects.js';
import type { TrafficTarget } from '../api/access/v1alpha3.js';
import type { HTTPRouteGroup, TCPRoute } from '../api/specs/v1alpha4.js';
import type { TrafficSplit } from '../api/split/v1alpha4.js';
import type { Diagnostic } from '../api/diagnostic.js';
import { splitPrecedence } from '../api/checks/references.js';
import { isRecord } from '../api/object.js';
import { buildInventory, workloadsOf } from './inventory.js';
import { computeScope, type ScopeOptions } from './scope.js';
import { compileMatch } from './http-match.js';
import { readOsmPolicies } from './osm-policy.js';
import {
  identityKey, type AccessMode, type CompiledMatch, type DestinationPolicy, type Identity, type PolicyModel, type PortSet,
  type Provenance, type SplitPolicy, type TargetPolicy,
} from './model.js';

export interface ResolveOptions {
  readonly mode?: AccessMode;
  readonly scope?: ScopeOptions;
  /**
   * Read OSM's IngressBackend/Egress objects among the inventory (default true). The controller
   * does not watch them yet, and its namespace-by-namespace recomputation assumes a namespace's
   * policy depends on that namespace alone, which an IngressBackend's Service source breaks.
   */
  readonly osmPolicies?: boolean;
}

function provenance(o: SmiObject): Provenance {
  return { kind: o.def.kind, namespace: o.namespace, name: o.name, file: o.origin.file, line: o.origin.line };
}

function unionPorts(a: PortSet | undefined, ports: readonly number[] | undefined): PortSet {
  // An empty or absent port list means every port (spec: TCPRoute/UDPRoute v1alpha4).
  if (a === 'all' || ports === undefined || ports.length === 0) return 'all';
  return new Set([...(a ?? []), ...ports]);
}

/** v1alpha1/v1alpha2 TrafficTargets may limit every rule to one destination port. */
function legacyPort(o: SmiObject): number | undefined {
  const truth = o.truth as Record<string, unknown>;
  const destination = truth.apiVersion === 'access.smi-spec.io/v1alpha1' ? truth.destination
    : truth.apiVersion === 'access.smi-spec.io/v1alpha2' && isRecord(truth.spec) ? truth.spec.destination : undefined;
  return isRecord(destination) && typeof destination.port === 'number' ? destination.port : undefined;
}

class RouteIndex {
  private readonly objects = new Map<string, SmiObject>();
  private readonly compiled = new Map<SmiObject, CompiledMatch[]>();
  constructor(objects: readonly SmiObject[]) {
    for (const o of objects) this.objects.set(`${o.def.kind}/${o.namespace}/${o.name}`, o);
  }
  get(kind: string, namespace: string, name: string): SmiObject | undefined {
    return this.objects.get(`${kind}/${namespace}/${name}`);
  }
  /** Compiled once per group, shared by every rule and split that names it. */
  matchesOf(group: SmiObject): CompiledMatch[] {
    let out = this.compiled.get(group);
    if (!out) {
      const ref = provenance(group);
      out = (group.hub as unknown as HTTPRouteGroup).spec.matches.map((m) => compileMatch(ref, m));
      this.compiled.set(group, out);
    }
    return out;
  }
}

function resolveTarget(o: SmiObject, routes: RouteIndex): TargetPolicy {
  const tt = o.hub as unknown as TrafficTarget;
  let hasHttpRules = false;
  const httpMatches: CompiledMatch[] = [];
  let tcpPorts: PortSet | undefined;
  let udpPorts: PortSet | undefined;
  const unresolved: string[] = [];
  for (const rule of tt.spec.rules) {
    const route = routes.get(rule.kind, o.namespace, rule.name);
    if (rule.kind === 'HTTPRouteGroup') hasHttpRules = true; // even unresolved: HTTP rules then allow nothing, never everything
    if (!route) {
      unresolved.push(`${rule.kind} ${o.namespace}/${rule.name} not found`);
      continue;
    }
    if (rule.kind === 'HTTPRouteGroup') {
      const all = routes.matchesOf(route);
      const wanted = rule.matches === undefined ? all : all.filter((m) => rule.matches?.includes(m.name));
      for (const m of wanted) if (!httpMatches.includes(m)) httpMatches.push(m);
    } else {
      const ports = (route.hub as unknown as TCPRoute).spec?.matches?.ports;
      if (rule.kind === 'TCPRoute') tcpPorts = unionPorts(tcpPorts, ports);
      else udpPorts = unionPorts(udpPorts, ports);
    }
  }
  const sources: Identity[] = tt.spec.sources.map((s) => ({ namespace: s.namespace ?? o.namespace, name: s.name }));
  const port = legacyPort(o);
  return {
    ref: provenance(o),
    destination: { namespace: tt.spec.destination.namespace ?? o.namespace, name: tt.spec.destination.name },
    sources,
    ...(port !== undefined ? { legacyPort: port } : {}),
    hasHttpRules,
    httpMatches,
    ...(tcpPorts !== undefined ? { tcpPorts } : {}),
    ...(udpPorts !== undefined ? { udpPorts } : {}),
    unresolved,
  };
}

function resolveSplit(o: SmiObject, routes: RouteIndex): SplitPolicy {
  const split = o.hub as unknown as TrafficSplit;
  let matches: CompiledMatch[] | undefined;
  const unresolvedMatches: string[] = [];
  if (split.spec.matches !== undefined) {
    matches = [];
    for (const ref of split.spec.matches) {
      const group = routes.get('HTTPRouteGroup', o.namespace, ref.name);
      if (group) matches.push(...routes.matchesOf(group));
      else unresolvedMatches.push(`HTTPRouteGroup ${o.namespace}/${ref.name} not found`);
    }
  }
  return {
    ref: provenance(o),
    namespace: o.namespace,
    service: rootServiceShortName(split.spec.service, o.namespace),
    ...(matches !== undefined ? { matches } : {}),
    unresolvedMatches,
    backends: split.spec.backends.map((b) => ({ service: b.service, weight: b.weight })),
  };
}

export function resolvePolicy(input: Pick<ValidatedSet, 'smi' | 'valid' | 'kube'>, options: ResolveOptions = {}): PolicyModel {
  const { inventory, diagnostics: inventoryDiagnostics } = buildInventory(input.kube);
  const diagnostics: Diagnostic[] = [...inventoryDiagnostics];
  const routes = new RouteIndex(input.valid.filter((o) => o.def.group === 'specs.smi-spec.io'));
  const scope = computeScope({
    smi: new Set(input.smi.map((o) => o.namespace)),
    seen: new Set([...input.smi.map((o) => o.namespace), ...input.kube.filter((o) => o.kind !== 'Namespace').map((o) => o.namespace), ...inventory.namespaces.keys()]),
    labels: inventory.namespaces,
  }, options.scope);
  // Objects outside the scope take no part: nothing is decided or written for their namespace.
  for (const o of input.smi) {
    if (scope.namespaces.has(o.namespace) || !['TrafficTarget', 'TrafficSplit'].includes(o.def.kind)) continue;
    diagnostics.push({
      severity: 'warning', code: 'SMI_OUT_OF_SCOPE', path: '', file: o.origin.file, line: o.origin.line, column: o.origin.column, object: `${o.def.kind}/${o.namespace}/${o.name}`,
      message: `namespace ${o.namespace} is outside smi's scope (${scope.why.get(o.namespace) ?? 'not named'}), so this ${o.def.kind} is not enforced and nothing is written for it`,
    });
  }
  const valid = input.valid.filter((o) => scope.namespaces.has(o.namespace));

  const destinations = new Map<string, { identity: Identity; targets: TargetPolicy[]; bySource: Map<string, TargetPolicy[]> }>();
  const add = (target: TargetPolicy): void => {
    const key = identityKey(target.destination);
    let d = destinations.get(key);
    if (!d) {
      d = { identity: target.destination, targets: [], bySource: new Map() };
      destinations.set(key, d);
    }
    d.targets.push(target);
    for (const s of target.sources) {
      const sk = identityKey(s);
      const list = d.bySource.get(sk) ?? [];
      if (!list.includes(target)) list.push(target);
      d.bySource.set(sk, list);
    }
  };
  for (const o of valid) if (o.def.kind === 'TrafficTarget') add(resolveTarget(o, routes));

  // Named by any TrafficTarget that passed the schema, valid or not: a broken target still means
  // "lock this destination down" (fail closed in per-destination mode).
  const lockedDown = new Set<string>();
  for (const o of input.smi) {
    if (o.def.kind !== 'TrafficTarget' || !scope.namespaces.has(o.namespace)) continue;
    const tt = o.hub as unknown as TrafficTarget;
    // Only the destination's own namespace may lock it down (SMI_TT_DESTINATION_NAMESPACE): a
    // TrafficTarget elsewhere naming it must not deny its callers.
    if ((tt.spec.destination.namespace ?? o.namespace) !== o.namespace) continue;
    lockedDown.add(`${o.namespace}/${tt.spec.destination.name}`);
  }

  // OSM's IngressBackends grant like TrafficTargets (osm-policy.ts). They lock nothing down: in
  // per-destination mode they join only destinations SMI already locks down.
  const mode = options.mode ?? 'strict';
  const osm = options.osmPolicies === false ? { grants: [], diagnostics: [] } : readOsmPolicies(input.kube, inventory, scope);
  diagnostics.push(...osm.diagnostics);
  for (const grant of osm.grants) {
    const key = identityKey(grant.destination);
    if (mode !== 'strict' && !lockedDown.has(key) && !destinations.has(key)) continue;
    add(grant);
  }

  const splits = new Map<string, SplitPolicy>();
  for (const o of valid.filter((x) => x.def.kind === 'TrafficSplit').sort(splitPrecedence)) {
    const split = resolveSplit(o, routes);
    const key = `${split.namespace}/${split.service}`;
    if (!splits.has(key)) splits.set(key, split);
  }

  const identities = new Map<string, Identity>();
  const addIdentity = (i: Identity) => identities.set(identityKey(i), i);
  for (const sa of inventory.serviceAccounts) {
    const [namespace = '', name = ''] = sa.split('/');
    addIdentity({ namespace, name });
  }
  for (const w of inventory.workloads) addIdentity({ namespace: w.namespace, name: w.serviceAccount });
  for (const d of destinations.values()) {
    addIdentity(d.identity);
    for (const t of d.targets) t.sources.forEach(addIdentity);
    if (inventory.workloads.length > 0 && workloadsOf(inventory, d.identity.namespace, d.identity.name).length === 0) {
      const t = d.targets[0] as TargetPolicy;
      diagnostics.push({
        severity: 'info', code: 'SMI_DESTINATION_HAS_NO_WORKLOADS', path: 'spec.destination', file: t.ref.file, line: t.ref.line, object: `${t.ref.kind}/${t.ref.namespace}/${t.ref.name}`,
        message: `no workload in the input runs as ServiceAccount ${identityKey(d.identity)}; the policy is ready for when one does`,
      });
    }
  }

  const frozen = new Map<string, DestinationPolicy>();
  for (const [k, d] of destinations) frozen.set(k, d);
  return {
    mode,
    destinations: frozen,
    lockedDown,
    splits,
    inventory,
    scope,
    identities: [...identities.values()].sort((a, b) => identityKey(a).localeCompare(identityKey(b))),
    diagnostics,
  };
}
