/**
 * The dashboard's graph: the policy of /api/view drawn with Cytoscape.js (the fcose layout, which keeps
 * namespaces as separate boxes),
 * with search and a namespace filter. The page's tables hold the same as text; clicking an identity
 * opens its explanation there.
 */
import cytoscape from 'cytoscape';
import fcose from 'cytoscape-fcose';
import { elementsOf } from './elements.js';
import type { DashboardView } from './view.js';

const STYLE: cytoscape.StylesheetJson = [
  { selector: 'node', style: { label: 'data(label)', 'font-size': 10, 'text-valign': 'bottom', 'text-margin-y': 4, 'background-color': '#4a6fa5' } },
  { selector: 'node[kind = "service"]', style: { shape: 'round-rectangle', 'background-color': '#6a994e' } },
  { selector: 'node[kind = "namespace"]', style: { 'text-valign': 'top', 'background-color': '#eef2f7', 'border-color': '#9aa9bd', 'border-width': 1, 'font-weight': 'bold' } },
  { selector: 'node[kind = "namespace"][inScope = "no"]', style: { 'background-color': '#f4f4f4', 'border-style': 'dashed' } },
  { selector: 'node[errors > 0]', style: { 'border-color': '#b00020', 'border-width': 3 } },
  { selector: 'edge', style: { width: 1.5, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'line-color': '#555', 'target-arrow-color': '#555', label: 'data(label)', 'font-size': 8, 'text-wrap': 'wrap', 'text-background-color': '#fff', 'text-background-opacity': 0.8 } },
  { selector: 'edge[kind = "split"]', style: { 'line-style': 'dashed', 'line-color': '#6a994e', 'target-arrow-color': '#6a994e' } },
  { selector: '.match', style: { 'border-color': '#f2a900', 'border-width': 4 } },
  { selector: '.hidden', style: { display: 'none' } },
];

cytoscape.use(fcose);

async function start(): Promise<void> {
  const container = document.getElementById('graph');
  if (!container) return;
  const view = (await (await fetch('/api/view')).json()) as DashboardView;
  const cy = cytoscape({ container, elements: elementsOf(view), style: STYLE, layout: { name: 'fcose', animate: false, randomize: true, nodeRepulsion: () => 9000, idealEdgeLength: () => 90, nestingFactor: 0.6, packComponents: true } as cytoscape.LayoutOptions, wheelSensitivity: 0.3 });

  const search = document.getElementById('graph-search') as HTMLInputElement | null;
  const namespace = document.getElementById('graph-namespace') as HTMLSelectElement | null;
  const differs = document.getElementById('graph-differs') as HTMLSelectElement | null;
  const status = document.getElementById('graph-status');
  const apply = () => {
    const text = (search?.value ?? '').trim().toLowerCase();
    const ns = namespace?.value ?? '';
    const differing = differs?.value ? new Set(view.differences.find((m) => m.mesh === differs.value)?.destinations.map((d) => d.node)) : undefined;
    cy.batch(() => {
      cy.elements().removeClass('hidden match');
      if (ns) cy.nodes().filter((n) => n.id() !== `ns:${ns}` && n.data('parent') !== `ns:${ns}`).addClass('hidden');
      if (differing) cy.nodes('[kind != "namespace"]').filter((n) => !differing.has(n.id())).addClass('hidden');
      if (text) cy.nodes('[kind != "namespace"]').filter((n) => n.id().toLowerCase().includes(text)).addClass('match');
    });
    const shown = cy.nodes('[kind != "namespace"]').not('.hidden');
    const matched = cy.nodes('.match').not('.hidden');
    if (status) status.textContent = `${shown.length} node(s) shown${text ? `, ${matched.length} matching "${text}"` : ''}`;
    document.body.dataset.graphShown = String(shown.length);
    document.body.dataset.graphMatched = String(matched.length);
  };
  search?.addEventListener('input', apply);
  namespace?.addEventListener('change', apply);
  differs?.addEventListener('change', apply);
  cy.on('tap', 'node[kind = "identity"]', (event) => {
    const id = String(event.target.id());
    window.location.assign(`/?to=${encodeURIComponent(id.slice(3))}#explain`);
  });
  apply();
  document.body.dataset.graphNodes = String(cy.nodes('[kind != "namespace"]').length);
  document.body.dataset.graphEdges = String(cy.edges().length);
  document.body.dataset.graphReady = 'true';
}

void start();
