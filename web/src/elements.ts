/** The view as Cytoscape elements: namespaces as compound parents, identities and Services inside, edges between. */
import type { ElementDefinition } from 'cytoscape';
import type { DashboardView } from './view.js';

const label = (node: string) => node.slice(node.indexOf(':') + 1).split('/')[1] ?? node;

export function elementsOf(view: DashboardView): ElementDefinition[] {
  const out: ElementDefinition[] = [];
  const problems = new Map<string, number>();
  for (const d of view.diagnostics) if (d.severity === 'error') for (const n of d.nodes) problems.set(n, (problems.get(n) ?? 0) + 1);
  for (const ns of view.namespaces) {
    if (ns.identities.length + ns.services.length === 0) continue;
    out.push({ data: { id: `ns:${ns.name}`, label: ns.name, kind: 'namespace', inScope: ns.inScope ? 'yes' : 'no' } });
    for (const id of [...ns.identities, ...ns.services]) {
      out.push({ data: { id, label: label(id), parent: `ns:${ns.name}`, kind: id.startsWith('sa:') ? 'identity' : 'service', errors: problems.get(id) ?? 0 } });
    }
  }
  // The drawn edge carries the short label (route names, ports, a share); the side panel shows `detail` in full.
  view.edges.forEach((e, i) => out.push({ data: { id: `e${i}`, source: e.from, target: e.to, label: e.short, policyLabel: e.short, detail: e.label, kind: e.kind } }));
  return out;
}
