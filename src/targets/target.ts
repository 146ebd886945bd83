/**
 * The contract every mesh target implements: translate the policy model into the mesh's resources,
 * and evaluate those resources as the mesh would, so tests can prove the two mean the same.
 */
import type { Diagnostic } from '../api/diagnostic.js';
import type { Inventory } from '../policy/inventory.js';
import type { PolicyModel, Workload } from '../policy/model.js';
import type { AccessRequest, RouteRequest } from '../policy/request.js';
import type { PathView } from './envoy-path.js';
import type { FenceProfile, FenceRelay } from './fence/types.js';
import type { MeshMetrics } from './metrics-spec.js';
import type { FeatureTable } from './features.js';

/** A target's name, as `--mesh` takes it: the registry's keys (registry.ts). */
export type MeshName = string;

/**
 * What shapes a translation. The fields every target reads are here; each mesh adds its own fields
 * in its folder (`declare module '../target.js'` in <mesh>/options.ts), next to the flags that set them.
 */
export interface TranslateOptions {
  /** Trust domain of mesh identities (Istio principals, Linkerd identities). */
  readonly trustDomain: string;
  /** DNS suffix of Services: <name>.<namespace>.svc.<clusterDomain>. */
  readonly clusterDomain: string;
  /**
   * enforce (default), or audit: the mesh reports what SMI would deny and denies nothing. Only
   * targets with `audit` accept it.
   */
  readonly enforcement?: 'enforce' | 'audit';
  /**
   * networkpolicy: beside the mesh's resources, Kubernetes NetworkPolicies that let into each
   * destination only what SMI grants at L4 (UDP and ports the mesh does not see included). Only
   * targets with `fence` accept it.
   */
  readonly fence?: 'networkpolicy';
}

/** What an evaluation may need beyond the resources: the pods a request can come from (fences select callers by pod labels). */
export interface EvaluationContext {
  readonly inventory: Inventory;
}

export const DEFAULT_OPTIONS: TranslateOptions = { trustDomain: 'cluster.local', clusterDomain: 'cluster.local' };

/**
 * A mesh's own flag, declared once in its folder: the CLI builds the commander option from it,
 * refuses it where it does not apply, and install writes it back into the controller's arguments
 * (option-flags.ts).
 */
export interface MeshOption {
  /** The flag without its dashes: `linkerd-default-policy`. */
  readonly flag: string;
  /** The value's name in help (`<policy>`); absent for a switch. */
  readonly value?: string;
  readonly choices?: readonly string[];
  readonly description: string;
  /**
   * 'mesh': only when its mesh is the target. 'authorization': also wherever another target writes
   * this mesh's authorization resources (Target.authorization).
   */
  readonly appliesTo: 'mesh' | 'authorization';
  /** It chooses whose authorization a composing target writes (gateway-api's --authz): its choices are mesh names. */
  readonly selectsAuthorization?: boolean;
  /** Each choice makes a different translation worth proving on its own: the conformance catalogue runs every one. */
  readonly variant?: boolean;
  /** It also says how to read the mesh's metrics (MetricsOptions): the commands that read them take it too. */
  readonly readsMetrics?: boolean;
  /** The options it sets from its value (true for a switch). */
  readonly set: (value: string | true) => Partial<TranslateOptions>;
  /** Its value in these options, to write it back as arguments; undefined when unset. */
  readonly get: (options: TranslateOptions) => string | true | undefined;
  /** Why it cannot go with the other options, when it cannot. */
  readonly refuse?: (options: TranslateOptions) => string | undefined;
}

export type { MeshResource } from './resource-kind.js';
import type { MeshResource } from './resource-kind.js';

export interface Translation {
  readonly resources: MeshResource[];
  /** Errors: something SMI grants could not be expressed and was left out (narrower). Warnings: likewise, but minor or by design. */
  readonly diagnostics: Diagnostic[];
}

export interface MeshDecision {
  readonly allowed: boolean;
  /** false when the mesh does not decide this traffic by these resources (UDP bypasses the proxies; audit mode only reports). */
  readonly enforced: boolean;
  readonly reasons: readonly string[];
  /** Set when the mesh cannot answer the question as asked (e.g. it decides per port and none is named). */
  readonly unanswerable?: string;
}

export interface MeshRoute {
  readonly backends: readonly { service: string; share: number }[];
  readonly reasons: readonly string[];
}

export interface Target {
  readonly name: MeshName;
  readonly summary: string;
  /** apiVersion/kind of everything it may write. */
  readonly writes: readonly string[];
  /** What it writes with these options, when that depends on them (the controller watches and RBAC allows exactly these). */
  writesWith?(options: TranslateOptions): readonly string[];
  /** The flags of this mesh (its own fields of TranslateOptions): the CLI and install build on them (option-flags.ts). */
  readonly options?: readonly MeshOption[];
  /**
   * Whose authorization resources the translation writes: the target's own name, another target's
   * it composes (gateway-api --authz), or undefined when it writes none. Options that apply to a
   * mesh's authorization (appliesTo 'authorization') follow it.
   */
  authorization?(options: TranslateOptions): MeshName | undefined;
  /**
   * With these options the translation writes annotations on Namespaces smi does not own (as
   * `v1/Namespace` resources holding only them): the controller applies them alone, and install
   * grants `patch` on namespaces for it.
   */
  readonly annotatesNamespaces?: (options: TranslateOptions) => boolean;
  /** The mesh's metrics, as TrafficMetrics, `smi top`, `smi impact` and the dashboard read them; absent: it has none smi reads. */
  readonly metrics?: MeshMetrics;
  /** The mesh's own namespaces (control plane, gateways): outside smi's scope unless named with -n (policy/scope.ts). */
  readonly systemNamespaces?: readonly RegExp[];
  /** How much of each SMI feature the mesh carries with these options (features.ts); the conformance catalogue holds it to its word. */
  features?(options: TranslateOptions): FeatureTable;
  /** What the mesh cannot express; each shows up as a diagnostic where it matters. */
  readonly limitations: readonly string[];
  /**
   * With these options, the resources of a namespace depend only on the SMI objects and inventory of
   * that namespace (no cross-namespace lookups): the controller may then recompute one namespace at a
   * time. Absent or false: every change recomputes the whole cluster.
   */
  readonly namespaceLocal?: (options: TranslateOptions) => boolean;
  /**
   * The translation split by namespace (exports and imports, partition.ts): the controller then
   * recomputes a changed namespace and those reading what it exports. Absent: namespaceLocal decides.
   */
  readonly partition?: (options: TranslateOptions) => Partition | undefined;
  /**
   * What the mesh's proxies need reachable beside what SMI grants, for the NetworkPolicy fence
   * (--fence networkpolicy); absent or undefined: the fence does not apply (the mesh denies everything itself).
   */
  fenceProfile?(options: TranslateOptions): FenceProfile | undefined;
  /** Pods of the mesh's own (waypoints) the fence must let in beside the granted callers, for this policy and options. */
  fenceRelays?(model: PolicyModel, options: TranslateOptions): readonly FenceRelay[];
  /** What the NetworkPolicy fence leaves to the mesh (set by fence/index.ts from the profile); absent: no fence for this target. */
  readonly fence?: readonly string[];
  /** How the mesh can report denials without enforcing them (--enforcement audit); absent: it cannot. */
  readonly audit?: string;
  /**
   * Which part of an HTTP request the mesh's authorization path rules see (the path alone, or the
   * whole :path with its query string) and what the mesh does to the path first; stated with its
   * source in the target's doc. Its evaluateAccess judges requests exactly so.
   */
  pathView(options: TranslateOptions): PathView;
  translate(model: PolicyModel, options: TranslateOptions): Translation;
  /** The mesh's decision for a request arriving at one workload of the destination. */
  evaluateAccess(resources: readonly MeshResource[], workload: Workload, request: AccessRequest, options: TranslateOptions, context?: EvaluationContext): MeshDecision;
  /** Where the mesh sends a request to a root service. */
  evaluateRoute(resources: readonly MeshResource[], request: RouteRequest, options: TranslateOptions): MeshRoute;
}

/**
 * One namespace's facts for the others: topic → strings. A reader sees the union over all
 * namespaces, so a namespace repeating what another already said changes nothing for anyone.
 */
export type Exports = ReadonlyMap<string, readonly string[]>;

/** What a namespace's translation may read of the others. */
export interface Imports {
  /** The union of every namespace's facts under this topic. */
  read(topic: string): ReadonlySet<string>;
}

/**
 * A translation split by namespace (partition.ts has the machinery): each namespace exports facts
 * computed from its own slice of the model, and translates its slice reading the others' facts.
 */
export interface Partition {
  /** The facts a namespace offers, from its slice of the model alone. */
  exports(slice: PolicyModel, namespace: string, options: TranslateOptions): Exports;
  /** The resources of one namespace (written there only) and the diagnostics of its SMI objects. */
  translate(slice: PolicyModel, namespace: string, imports: Imports, options: TranslateOptions): Translation;
  /** Warnings about the cluster as a whole, reported once (not tied to an SMI object, so no status). */
  notes(model: PolicyModel, options: TranslateOptions): Diagnostic[];
}
