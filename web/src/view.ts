/** The shapes of /api/view and /api/traffic, as the server's src/dashboard/{view,traffic}.ts send them (the front end only reads them). */
export interface GraphEdge { from: string; to: string; label: string; kind: 'access' | 'split' }
export interface NamespaceView { name: string; inScope: boolean; why: string; identities: string[]; services: string[] }
export interface DiagnosticView { severity: string; code: string; message: string; where?: string; mesh?: string; nodes: string[] }
export interface MeshDifferences { mesh: string; destinations: { node: string; requests: number; example: string }[] }
export interface DashboardView { version: number; at: string; mode: string; namespaces: NamespaceView[]; edges: GraphEdge[]; diagnostics: DiagnosticView[]; meshes: string[]; differences: MeshDifferences[]; differencesProgress: { done: number; total: number; requests: number; complete: boolean } }
export interface TrafficEdge { from: string; to: string; workloads: string[]; requestsPerSecond: number; successRate?: number; p99Ms?: number; inPolicy: boolean }
export interface TrafficView { mesh: string; window: string; at: string; edges: TrafficEdge[]; error?: string }
