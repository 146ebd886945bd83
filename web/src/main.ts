/**
 * The dashboard's graph: the policy of /api/view drawn with Cytoscape.js (the fcose layout, which keeps
 * namespaces as separate boxes, seeded so the same graph is drawn the same way; cytoscape-expand-collapse
 * folds a namespace into one node, by default past COLLAPSE_ABOVE nodes), with search that centres on
 * what it finds, filters, live traffic on the edges, and — when following a cluster — redrawn on each
 * new version with the nodes left where they were. Edges show short labels; a click shows the edge in
 * full in the side panel. The page's tables hold the same as text; clicking an identity opens its
 * explanation there.
 */
import cytoscape, { type Core } from 'cytoscape';
import fcose from 'cytoscape-fcose';
import layoutUtilities from 'cytoscape-layout-utilities';
import expandCollapse, { type ExpandCollapseApi, type WithExpandCollapse } from 'cytoscape-expand-collapse';
import { elementsOf } from './elements.js';
import { followTraffic } from './traffic.js';
import { followVersions } from './live.js';
import { LAYOUT, layOut, positionsOf, restore } from './layout.js';
import { placeEdgeLabels } from './labels.js';
import type { DashboardView } from './view.js';

/** Past this many nodes the graph opens with namespaces collapsed (expand one, or all, to see inside). */
const COLLAPSE_ABOVE = 150;

const STYLE: cytoscape.StylesheetJson = [
  { selector: 'node', style: { label: 'data(label)', 'font-size': 12, 'text-valign': 'bottom', 'text-margin-y': 3, 'background-color': '#4a6fa5', 'text-background-color': '#fff', 'text-background-opacity': 0.85, 'text-background-padding': '1px', 'min-zoomed-font-size': 5 } },
  { selector: 'node[kind = "service"]', style: { shape: 'round-rectangle', 'background-color': '#6a994e' } },
  { selector: 'node[kind = "namespace"]', style: { 'text-valign': 'top', 'text-margin-y': -2, 'background-color': '#eef2f7', 'border-color': '#9aa9bd', 'border-width': 1, 'font-weight': 'bold', 'font-size': 12, 'padding': '14px' } },
  { selector: 'node[kind = "namespace"][inScope = "no"]', style: { 'background-color': '#f4f4f4', 'border-style': 'dashed' } },
  { selector: 'node.cy-expand-collapse-collapsed-node', style: { shape: 'round-rectangle', 'background-color': '#c9d3e0', width: 60, height: 30 } },
  { selector: 'node[errors > 0]', style: { 'border-color': '#b00020', 'border-width': 3 } },
  { selector: 'edge', style: { width: 1.5, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'line-color': '#555', 'target-arrow-color': '#555', label: 'data(label)', 'font-size': 11, 'color': '#333', 'text-wrap': 'wrap', 'text-background-color': '#fff', 'text-background-opacity': 0.9, 'min-zoomed-font-size': 5 } },
  { selector: 'edge:selected', style: { 'line-color': '#f2a900', 'target-arrow-color': '#f2a900', width: 3 } },
  { selector: 'edge[kind = "split"]', style: { 'line-style': 'dashed', 'line-color': '#6a994e', 'target-arrow-color': '#6a994e' } },
  { selector: 'edge.live', style: { width: 'mapData(rps, 0, 50, 2.5, 8)', 'line-color': '#1f6feb', 'target-arrow-color': '#1f6feb' } },
  { selector: 'edge.observed', style: { width: 2, 'line-style': 'dotted', 'line-color': '#b00020', 'target-arrow-color': '#b00020' } },
  { selector: '.match', style: { 'border-color': '#f2a900', 'border-width': 4 } },
  { selector: '.hidden', style: { display: 'none' } },
];

cytoscape.use(fcose);
cytoscape.use(layoutUtilities);
cytoscape.use(expandCollapse);

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T | null;

async function start(): Promise<void> {
  const container = byId('graph');
  if (!container) return;
  let view = (await (await fetch('/api/view')).json()) as DashboardView;
  const cy: Core = cytoscape({ container, elements: elementsOf(view), style: STYLE, wheelSensitivity: 0.3 });
  // Disconnected parts (most namespaces) packed to the box's shape, so the picture fills it at a readable zoom.
  (cy as Core & { layoutUtilities(options: object): unknown }).layoutUtilities({ desiredAspectRatio: container.clientWidth / Math.max(1, container.clientHeight), componentSpacing: 30, utilityFunction: 2 });
  layOut(cy);
  const placeLabels = () => { document.body.dataset.graphCrowdedLabels = String(placeEdgeLabels(cy)); };
  (window as unknown as { smiGraph: Core }).smiGraph = cy; // read by the browser tests, which measure the drawing
  const folding: ExpandCollapseApi = (cy as WithExpandCollapse).expandCollapse({ layoutBy: { ...LAYOUT, randomize: false }, fisheye: false, animate: false, undoable: false, cueEnabled: true, groupEdgesOfSameTypeOnCollapse: true, edgeTypeInfo: 'kind' });
  // Collapsing a namespace leaves one edge per pair and kind, not one per original edge.
  const collapse = () => {
    folding.collapseAll();
    folding.collapseAllEdges({ groupEdgesOfSameTypeOnCollapse: true, edgeTypeInfo: 'kind' });
  };
  const leaves = () => cy.nodes('[kind = "identity"], [kind = "service"]').length;
  let collapsed = leaves() > COLLAPSE_ABOVE;
  if (collapsed) collapse();
  placeLabels();

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
    const inside = cy.nodes('.cy-expand-collapse-collapsed-node').reduce((n, ns) => n + Number(ns.data('collapsedChildren')?.filter('node[kind = "identity"], node[kind = "service"]').length ?? 0), 0);
    const said = [
      ...(shown.length > 0 || folded === 0 ? [`${shown.length} node(s) shown`] : []),
      ...(folded > 0 ? [`${folded} namespace(s) collapsed, holding ${inside} node(s) (double-click one to open it, or Expand all)`] : []),
      ...(text ? [`${matched.length} matching "${text}"`] : []),
    ];
    if (status) status.textContent = said.join('; ');
    Object.assign(document.body.dataset, {
      differencesComplete: String(view.differencesProgress.complete),
      graphShown: String(shown.length), graphMatched: String(matched.length), graphCollapsed: String(folded),
      graphNodes: String(cy.nodes(`[kind != "namespace"]`).length), graphEdges: String(cy.edges('[kind = "access"], [kind = "split"]').length),
    });
  };
  search?.addEventListener('input', apply);
  // Enter (or leaving the field) centres the graph on what the search found, opening collapsed namespaces first.
  search?.addEventListener('change', () => {
    const text = search.value.trim().toLowerCase();
    if (!text) return;
    if (collapsed) { folding.expandAll(); collapsed = false; apply(); }
    // After the expansion's own layout has run and fitted the whole graph.
    setTimeout(() => {
      const matched = cy.nodes('.match').not('.hidden');
      if (matched.empty()) return;
      if (matched.length === 1) {
        cy.zoom(Math.max(cy.zoom(), 1.2));
        cy.center(matched);
      } else {
        cy.fit(matched, 80);
        if (cy.zoom() > 2) { cy.zoom(2); cy.center(matched); }
      }
      document.body.dataset.graphCentred = text;
    }, 0);
  });
  namespace?.addEventListener('change', apply);
  differs?.addEventListener('change', apply);
  kind?.addEventListener('change', apply);
  byId('graph-collapse')?.addEventListener('click', () => { collapse(); collapsed = true; apply(); });
  byId('graph-expand')?.addEventListener('click', () => { folding.expandAll(); collapsed = false; apply(); });
  cy.on('expandcollapse.aftercollapse expandcollapse.afterexpand', () => { placeLabels(); apply(); });
  const details = byId('graph-details');
  cy.on('tap', 'edge', (event) => {
    if (!details) return;
    const edge = event.target as cytoscape.EdgeSingular;
    const at = (id: string) => id.slice(id.indexOf(':') + 1);
    const what = edge.data('kind') === 'split' ? 'splits to' : edge.data('kind') === 'observed' ? 'was seen calling' : edge.data('kind') === 'access' ? 'may call' : 'collapsed edges to';
    const heading = document.createElement('h3');
    heading.textContent = `${at(String(edge.data('source')))} ${what} ${at(String(edge.data('target')))}`;
    const body = document.createElement('pre');
    body.textContent = [edge.data('detail'), edge.data('traffic')].filter((x) => typeof x === 'string' && x !== '').join('\n\n') || String(edge.data('label') ?? '');
    details.replaceChildren(heading, body);
    document.body.dataset.graphDetails = heading.textContent;
  });
  cy.on('tap', 'node[kind = "identity"]', (event) => {
    const id = String(event.target.id());
    window.location.assign(`/?to=${encodeURIComponent(id.slice(3))}#explain`);
  });

  const traffic = followTraffic(() => cy, placeLabels);
  followVersions(async () => {
    view = (await (await fetch('/api/view')).json()) as DashboardView;
    folding.expandAll();
    const before = positionsOf(cy);
    cy.batch(() => {
      cy.elements().remove();
      cy.add(elementsOf(view));
    });
    restore(cy, before);
    if (collapsed) collapse();
    placeLabels();
    traffic.refresh();
    apply();
    document.body.dataset.graphVersion = String(view.version);
  });
  apply();
  document.body.dataset.graphVersion = String(view.version);
  document.body.dataset.graphReady = 'true';
}

void start();
