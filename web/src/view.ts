/** The shape of /api/view, as the server's src/dashboard/view.ts sends it (the front end only reads it). */
export interface GraphEdge { from: string; to: string; label: string; kind: 'access' | 'split' }
export interface NamespaceView { name: string; inScope: boolean; why: string; identities: string[]; services: string[] }
export interface DiagnosticView { severity: string; code: string; message: string; where?: string; mesh?: string; nodes: string[] }
export interface MeshDifferences { mesh: string; destinations: { node: string; requests: number; example: string }[] }
export interface DashboardView { mode: string; namespaces: NamespaceView[]; edges: GraphEdge[]; diagnostics: DiagnosticView[]; meshes: string[]; differences: MeshDifferences[] }
