/**
 * What the dashboard shows, as plain data (pure): identities and Services grouped by namespace, the
 * allowed and split edges of the policy graph, and every diagnostic — validation, resolution and each
 * mesh's translation — tied to the nodes it concerns. The page draws it and lists it as text.
 */
import type { Diagnostic } from '../api/diagnostic.js';
import { policyGraph } from '../policy/graph.js';
import type { PolicyModel } from '../policy/model.js';
import type { Translation } from '../targets/target.js';
import { FEATURES, type Feature, type FeatureTable } from '../targets/features.js';
import type { DashboardView, DiagnosticView, MeshDifferences, MeshFeaturesView, NamespaceView } from './contract.js';

/** A mesh as the dashboard shows it: its translation, and its feature table with the options it runs with. */
export interface ShownMesh {
  readonly translation: Translation;
  readonly features?: FeatureTable;
}

function featuresView(mesh: string, table: FeatureTable): MeshFeaturesView {
  return {
    mesh,
    features: (Object.keys(FEATURES) as Feature[]).map((f) => ({ feature: f, what: FEATURES[f], support: table[f].support, ...(table[f].note ? { note: table[f].note } : {}) })),
  };
}

export type { DashboardView, DiagnosticView, NamespaceView };

const namespaceOf = (node: string) => node.slice(node.indexOf(':') + 1).split('/')[0] ?? '';

/**
 * The nodes a diagnostic concerns: its object's destination, and any node named in its message as a
 * whole NS/NAME word (not part of a longer path). Found by reading the message's words against the
 * node set — a look-up per word, not a pattern per node, which at thousands of nodes was quadratic.
 */
function nodesOf(d: Diagnostic, nodes: ReadonlySet<string>, servicesByNamespace: ReadonlyMap<string, readonly string[]>, destinationOf: ReadonlyMap<string, string>): string[] {
  const out = new Set<string>();
  if (d.object) {
    const dest = destinationOf.get(d.object);
    if (dest) out.add(dest);
    const [kind, ns, name] = d.object.split('/');
    if (kind === 'TrafficSplit' && ns && name) for (const n of servicesByNamespace.get(ns) ?? []) out.add(n);
  }
  for (const word of d.message.match(/[\w./-]+/g) ?? []) {
    // A sentence's full stop is not part of the name.
    for (const key of new Set([word, word.replace(/\.+$/, '')])) {
      if (key.split('/').length !== 2) continue;
      for (const n of [`sa:${key}`, `svc:${key}`]) if (nodes.has(n)) out.add(n);
    }
  }
  return [...out].sort();
}

export function dashboardView(model: PolicyModel, input: readonly Diagnostic[], meshes: ReadonlyMap<string, ShownMesh>, differences: readonly MeshDifferences[] = [], progress: DashboardView['differencesProgress'] = { done: 0, total: 0, requests: 0, complete: true }): DashboardView {
  const graph = policyGraph(model);
  const nodes = [...graph.identities.map((i) => `sa:${i}`), ...graph.services.map((s) => `svc:${s}`)];
  const byNamespace = new Map<string, { identities: string[]; services: string[] }>();
  const entry = (ns: string) => {
    let e = byNamespace.get(ns);
    if (!e) byNamespace.set(ns, (e = { identities: [], services: [] }));
    return e;
  };
  for (const n of nodes) (n.startsWith('sa:') ? entry(namespaceOf(n)).identities : entry(namespaceOf(n)).services).push(n);
  for (const ns of model.scope.namespaces) entry(ns);

  const nodeSet = new Set(nodes);
  const servicesByNamespace = new Map<string, string[]>();
  for (const n of nodes) {
    if (!n.startsWith('svc:')) continue;
    const list = servicesByNamespace.get(namespaceOf(n));
    if (list) list.push(n);
    else servicesByNamespace.set(namespaceOf(n), [n]);
  }
  const destinationOf = new Map<string, string>();
  for (const d of model.destinations.values()) for (const t of d.targets) destinationOf.set(`TrafficTarget/${t.ref.namespace}/${t.ref.name}`, `sa:${d.identity.namespace}/${d.identity.name}`);
  const view = (d: Diagnostic, mesh?: string): DiagnosticView => ({
    severity: d.severity, code: d.code, message: d.message,
    ...(d.file ? { where: d.line ? `${d.file}:${d.line}` : d.file } : d.object ? { where: d.object } : {}),
    ...(mesh ? { mesh } : {}),
    nodes: nodesOf(d, nodeSet, servicesByNamespace, destinationOf),
  });
  const diagnostics = [
    ...[...input, ...model.diagnostics].filter((d) => d.severity !== 'info').map((d) => view(d)),
    ...[...meshes].flatMap(([mesh, { translation: t }]) => t.diagnostics.filter((d) => d.severity !== 'info').map((d) => view(d, mesh))),
  ];
  return {
    mode: model.mode,
    namespaces: [...byNamespace].sort(([a], [b]) => a.localeCompare(b)).map(([name, e]) => ({
      name, inScope: model.scope.namespaces.has(name), why: model.scope.why.get(name) ?? '', identities: e.identities, services: e.services,
    })),
    edges: graph.edges,
    diagnostics,
    meshes: [...meshes.keys()],
    meshFeatures: [...meshes].flatMap(([mesh, m]) => (m.features ? [featuresView(mesh, m.features)] : [])),
    differences,
    differencesProgress: progress,
  };
}
