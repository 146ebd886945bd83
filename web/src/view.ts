/** The shapes of /api/view and /api/traffic: the server's own contract (src/dashboard/contract.ts), imported, never copied. */
export type { DiagnosticView, GraphEdgeView as GraphEdge, MeshDifferences, NamespaceView, TrafficEdge, TrafficView } from '../../src/dashboard/contract.js';
/** What /api/view sends: the view with its version stamp. */
export type { VersionedView as DashboardView } from '../../src/dashboard/contract.js';
