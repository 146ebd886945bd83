/**
 * The policy model: SMI objects and the cluster inventory resolved into what every later stage reads
 * — destinations with the TrafficTargets that grant access to them, and one split per root service.
 * Every element keeps a reference to the SMI object (and file:line) it came from.
 */
import type { Diagnostic } from '../api/diagnostic.js';
import type { PrefixMatcher } from '../api/re2.js';
import type { Inventory, Workload } from './inventory.js';

// Workloads are inventory facts; the model's readers have always found the type here too.
export type { Workload };
import type { Scope } from './scope.js';

/**
 * strict: every workload denies what no TrafficTarget allows (the spec).
 * per-destination: only destinations named by a TrafficTarget are locked down; others keep the mesh default.
 * permissive: everything is allowed (what meshes run during adoption).
 */
export type AccessMode = 'strict' | 'per-destination' | 'permissive';
export const ACCESS_MODES: readonly AccessMode[] = ['strict', 'per-destination', 'permissive'];

/** A ServiceAccount: the identity SMI access control is about. */
export interface Identity {
  readonly namespace: string;
  readonly name: string;
}

export const identityKey = (i: Identity): string => `${i.namespace}/${i.name}`;

/** Where a piece of policy came from, for explanations. */
export interface Provenance {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly file: string;
  readonly line: number;
}

export const provenanceLabel = (p: Provenance): string => `${p.kind} ${p.namespace}/${p.name}`;
export const provenanceWhere = (p: Provenance): string => (p.line > 0 ? `${p.file}:${p.line}` : p.file);

/** All ports, or these. */
export type PortSet = 'all' | ReadonlySet<number>;

export interface CompiledHeader {
  /** Lower case: header names are case-insensitive. */
  readonly name: string;
  readonly regex: string;
  readonly matches: PrefixMatcher;
}

/** One match of an HTTPRouteGroup, compiled. Absent conditions match everything. */
export interface CompiledMatch {
  readonly group: Provenance;
  readonly name: string;
  readonly pathRegex?: string;
  readonly path: PrefixMatcher;
  /** undefined: any method (omitted or "*"). */
  readonly methods?: ReadonlySet<string>;
  readonly headers: readonly CompiledHeader[];
}

/** One TrafficTarget, resolved. */
export interface TargetPolicy {
  readonly ref: Provenance;
  readonly destination: Identity;
  readonly sources: readonly Identity[];
  /** v1alpha1/v1alpha2 destination.port: every rule is limited to it. */
  readonly legacyPort?: number;
  /** The target has HTTPRouteGroup rules: HTTP must fit one of `httpMatches`, raw TCP is not granted. */
  readonly hasHttpRules: boolean;
  readonly httpMatches: readonly CompiledMatch[];
  /** Union of its TCPRoute ports; undefined when it has no TCPRoute rule. */
  readonly tcpPorts?: PortSet;
  /** Union of its UDPRoute ports; undefined when it has no UDPRoute rule. */
  readonly udpPorts?: PortSet;
  /** Rules that could not be resolved (missing route objects): they grant nothing. */
  readonly unresolved: readonly string[];
}

export interface DestinationPolicy {
  readonly identity: Identity;
  readonly targets: readonly TargetPolicy[];
  /** Targets by source identity key: the only ones that can allow a given caller. */
  readonly bySource: ReadonlyMap<string, readonly TargetPolicy[]>;
}

export interface SplitBackend {
  readonly service: string;
  readonly weight: number;
}

export interface SplitPolicy {
  readonly ref: Provenance;
  readonly namespace: string;
  readonly service: string;
  /** undefined: the split applies to every request; otherwise only to requests fitting one match. */
  readonly matches?: readonly CompiledMatch[];
  readonly unresolvedMatches: readonly string[];
  readonly backends: readonly SplitBackend[];
}

export interface PolicyModel {
  readonly mode: AccessMode;
  /** Destinations named by at least one valid TrafficTarget. */
  readonly destinations: ReadonlyMap<string, DestinationPolicy>;
  /** Destinations named by any TrafficTarget, even an invalid one: in per-destination mode they are locked down. */
  readonly lockedDown: ReadonlySet<string>;
  /** The split that applies, by root service key namespace/name. */
  readonly splits: ReadonlyMap<string, SplitPolicy>;
  readonly inventory: Inventory;
  /** The namespaces smi governs: nothing is decided or written for the others (scope.ts). */
  readonly scope: Scope;
  /** Every identity the input mentions or runs as. */
  readonly identities: readonly Identity[];
  /** What resolution noticed (e.g. a destination no workload runs as). */
  readonly diagnostics: readonly Diagnostic[];
}

/** Whether smi governs a namespace: deny-by-default and everything it writes stay inside its scope. */
export const inScope = (model: Pick<PolicyModel, 'scope'>, namespace: string): boolean => model.scope.namespaces.has(namespace);
