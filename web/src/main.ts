/**
 * The dashboard's graph: the policy of /api/view drawn with Cytoscape.js (the fcose layout, which keeps
 * namespaces as separate boxes; cytoscape-expand-collapse folds a namespace into one node), with
 * search and filters, live traffic on the edges, and — when following a cluster — redrawn on each new
 * version. The page's tables hold the same as text; clicking an identity opens its explanation there.
 */
import cytoscape, { type Core } from 'cytoscape';
import fcose from 'cytoscape-fcose';
import expandCollapse, { type ExpandCollapseApi, type WithExpandCollapse } from 'cytoscape-expand-collapse';
import { elementsOf } from './elements.js';
import { followTraffic } from './traffic.js';
import { followVersions } from './live.js';
import type { DashboardView } from './view.js';

const STYLE: cytoscape.StylesheetJson = [
  { selector: 'node', style: { label: 'data(label)', 'font-size': 10, 'text-valign': 'bottom', 'text-margin-y': 4, 'background-color': '#4a6fa5' } },
  { selector: 'node[kind = "service"]', style: { shape: 'round-rectangle', 'background-color': '#6a994e' } },
  { selector: 'node[kind = "namespace"]', style: { 'text-valign': 'top', 'background-color': '#eef2f7', 'border-color': '#9aa9bd', 'border-width': 1, 'font-weight': 'bold' } },
  { selector: 'node[kind = "namespace"][inScope = "no"]', style: { 'background-color': '#f4f4f4', 'border-style': 'dashed' } },
  { selector: 'node.cy-expand-collapse-collapsed-node', style: { shape: 'round-rectangle', 'background-color': '#c9d3e0', width: 60, height: 30 } },
  { selector: 'node[errors > 0]', style: { 'border-color': '#b00020', 'border-width': 3 } },
  { selector: 'edge', style: { width: 1.5, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'line-color': '#555', 'target-arrow-color': '#555', label: 'data(label)', 'font-size': 8, 'text-wrap': 'wrap', 'text-background-color': '#fff', 'text-background-opacity': 0.8 } },
  { selector: 'edge[kind = "split"]', style: { 'line-style': 'dashed', 'line-color': '#6a994e', 'target-arrow-color': '#6a994e' } },
  { selector: 'edge.live', style: { width: 3, 'line-color': '#1f6feb', 'target-arrow-color': '#1f6feb' } },
  { selector: 'edge.observed', style: { width: 2, 'line-style': 'dotted', 'line-color': '#b00020', 'target-arrow-color': '#b00020' } },
  { selector: '.match', style: { 'border-color': '#f2a900', 'border-width': 4 } },
  { selector: '.hidden', style: { display: 'none' } },
];
const LAYOUT = { name: 'fcose', animate: false, randomize: true, nodeRepulsion: () => 9000, idealEdgeLength: () => 90, nestingFactor: 0.6, packComponents: true } as cytoscape.LayoutOptions;

cytoscape.use(fcose);
cytoscape.use(expandCollapse);

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T | null;

async function start(): Promise<void> {
  const container = byId('graph');
  if (!container) return;
  let view = (await (await fetch('/api/view')).json()) as DashboardView;
  const cy: Core = cytoscape({ container, elements: elementsOf(view), style: STYLE, layout: LAYOUT, wheelSensitivity: 0.3 });
  const folding: ExpandCollapseApi = (cy as WithExpandCollapse).expandCollapse({ layoutBy: { ...LAYOUT, randomize: false }, fisheye: false, animate: false, undoable: false, cueEnabled: true });
  let collapsed = false;

  const search = byId<HTMLInputElement>('graph-search');
  const namespace = byId<HTMLSelectElement>('graph-namespace');
  const differs = byId<HTMLSelectElement>('graph-differs');
  const kind = byId<HTMLSelectElement>('graph-kind');
  const status = byId('graph-status');
  const apply = () => {
    const text = (search?.value ?? '').trim().toLowerCase();
    const ns = namespace?.value ?? '';
    const differing = differs?.value ? new Set(view.differences.find((m) => m.mesh === differs.value)?.destinations.map((d) => d.node)) : undefined;
    cy.batch(() => {
      cy.elements().removeClass('hidden match');
      if (ns) cy.nodes().filter((n) => n.id() !== `ns:${ns}` && n.data('parent') !== `ns:${ns}`).addClass('hidden');
      if (differing) cy.nodes('[kind != "namespace"]').filter((n) => !differing.has(n.id())).addClass('hidden');
      if (kind?.value) cy.nodes('[kind != "namespace"]').filter((n) => n.data('kind') !== kind.value).addClass('hidden');
      if (text) cy.nodes('[kind != "namespace"]').filter((n) => n.id().toLowerCase().includes(text)).addClass('match');
    });
    const shown = cy.nodes('[kind != "namespace"]').not('.hidden');
    const matched = cy.nodes('.match').not('.hidden');
    const folded = folding.expandableNodes().length;
    if (status) status.textContent = `${shown.length} node(s) shown${folded > 0 ? `, ${folded} namespace(s) collapsed` : ''}${text ? `, ${matched.length} matching "${text}"` : ''}`;
    Object.assign(document.body.dataset, {
      differencesComplete: String(view.differencesProgress.complete),
      graphShown: String(shown.length), graphMatched: String(matched.length), graphCollapsed: String(folded),
      graphNodes: String(cy.nodes(`[kind != "namespace"]`).length), graphEdges: String(cy.edges('[kind = "access"], [kind = "split"]').length),
    });
  };
  search?.addEventListener('input', apply);
  namespace?.addEventListener('change', apply);
  differs?.addEventListener('change', apply);
  kind?.addEventListener('change', apply);
  byId('graph-collapse')?.addEventListener('click', () => { folding.collapseAll(); collapsed = true; apply(); });
  byId('graph-expand')?.addEventListener('click', () => { folding.expandAll(); collapsed = false; apply(); });
  cy.on('expandcollapse.aftercollapse expandcollapse.afterexpand', () => apply());
  cy.on('tap', 'node[kind = "identity"]', (event) => {
    const id = String(event.target.id());
    window.location.assign(`/?to=${encodeURIComponent(id.slice(3))}#explain`);
  });

  const traffic = followTraffic(() => cy);
  followVersions(async () => {
    view = (await (await fetch('/api/view')).json()) as DashboardView;
    folding.expandAll();
    cy.batch(() => {
      cy.elements().remove();
      cy.add(elementsOf(view));
    });
    cy.layout(LAYOUT).run();
    if (collapsed) folding.collapseAll();
    traffic.refresh();
    apply();
    document.body.dataset.graphVersion = String(view.version);
  });
  apply();
  document.body.dataset.graphVersion = String(view.version);
  document.body.dataset.graphReady = 'true';
}

void start();
