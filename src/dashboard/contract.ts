/**
 * The dashboard's JSON contract: what /api/view and /api/traffic send. One source for both sides —
 * the server's modules build these types, and the page (web/src/view.ts) imports them — so the two
 * cannot drift. Types only, with no imports: the browser build reads this file as it is.
 */

/** An edge between nodes `sa:NS/NAME` (ServiceAccounts) or `svc:NS/NAME` (Services). */
export interface GraphEdgeView {
  readonly from: string;
  readonly to: string;
  /** Everything the edge carries (the table and the side panel). */
  readonly label: string;
  /** What the drawn edge shows: route names, ports, a percentage. */
  readonly short: string;
  readonly kind: 'access' | 'split';
}

export interface NamespaceView {
  readonly name: string;
  readonly inScope: boolean;
  readonly why: string;
  /** Node ids: sa:NS/NAME. */
  readonly identities: readonly string[];
  /** Node ids: svc:NS/NAME. */
  readonly services: readonly string[];
}

export interface DiagnosticView {
  readonly severity: 'error' | 'warning' | 'info';
  readonly code: string;
  readonly message: string;
  /** file:line offline, the object (Kind/ns/name) online. */
  readonly where?: string;
  /** The mesh whose translation said it; absent for SMI's own checks. */
  readonly mesh?: string;
  /** Node ids it concerns. */
  readonly nodes: readonly string[];
}

export interface DestinationDifference {
  /** Node id: sa:NS/NAME. */
  readonly node: string;
  readonly requests: number;
  readonly example: string;
}

export interface MeshDifferences {
  readonly mesh: string;
  readonly destinations: readonly DestinationDifference[];
}

export interface DifferencesProgress {
  /** Destinations asked so far, of all to ask. */
  readonly done: number;
  readonly total: number;
  /** Requests asked so far (of each mesh). */
  readonly requests: number;
}

/** One row of a mesh's feature table (src/targets/features.ts): how much of an SMI feature it carries. */
export interface MeshFeatureView {
  readonly feature: string;
  /** The feature in words. */
  readonly what: string;
  readonly support: 'full' | 'partial' | 'none';
  /** What is lost, where support is not full. */
  readonly note?: string;
}

export interface MeshFeaturesView {
  readonly mesh: string;
  readonly features: readonly MeshFeatureView[];
}

/** The view of the policy, without the version stamp /api/view adds. */
export interface DashboardView {
  readonly mode: 'strict' | 'per-destination' | 'permissive';
  readonly namespaces: readonly NamespaceView[];
  readonly edges: readonly GraphEdgeView[];
  readonly diagnostics: readonly DiagnosticView[];
  readonly meshes: readonly string[];
  /** Per mesh, with the options it is shown with, what it carries of each SMI feature. */
  readonly meshFeatures: readonly MeshFeaturesView[];
  /** Per mesh, the destinations where it answers differently from SMI (or does not enforce). */
  readonly differences: readonly MeshDifferences[];
  /** How far the differences are: complete, or the destinations asked so far. */
  readonly differencesProgress: DifferencesProgress & { readonly complete: boolean };
}

/** GET /api/view: the view of one version of the input. */
export interface VersionedView extends DashboardView {
  readonly version: number;
  /** When that version was read (ISO 8601). */
  readonly at: string;
}

export interface TrafficEdge {
  /** sa:NS/NAME, or 'unauthenticated'. */
  readonly from: string;
  /** sa:NS/NAME when the workload is known, else workload:NS/NAME. */
  readonly to: string;
  /** The workloads the metrics named, NS/NAME. */
  readonly workloads: readonly string[];
  readonly requestsPerSecond: number;
  readonly successRate?: number;
  readonly p99Ms?: number;
  /** TCP connections opened per second that an L4 proxy carried (no requests seen), where the mesh counts them. */
  readonly connectionsPerSecond?: number;
  /** 0–1: the share of those that closed without a failure. */
  readonly connectionSuccessRate?: number;
  /** Whether the policy graph has an access edge for this pair (SMI lets the caller reach the destination on something). */
  readonly inPolicy: boolean;
}

/** GET /api/traffic. */
export interface TrafficView {
  readonly mesh: string;
  readonly window: string;
  /** When the figures were read (ISO 8601). */
  readonly at: string;
  readonly edges: readonly TrafficEdge[];
  /** Why there are no figures, when there are none to give (Prometheus down, a mesh without caller identities). */
  readonly error?: string;
}
