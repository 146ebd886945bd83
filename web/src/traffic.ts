/**
 * Live traffic: /api/traffic read every few seconds (and when the window changes), written into the
 * traffic table as text and onto the graph — figures on the edges the policy has, and a dotted red
 * edge for traffic between two drawn identities that the policy has no edge for.
 */
import type { Core } from 'cytoscape';
import type { TrafficEdge, TrafficView } from './view.js';

const name = (node: string) => node.slice(node.indexOf(':') + 1);
const percent = (share: number | undefined) => (share === undefined ? '-' : `${(100 * share).toFixed(1)}%`);
/** Connections an L4 proxy carried (no requests seen), where the mesh counts them. */
const connections = (e: TrafficEdge) =>
  (e.connectionsPerSecond === undefined ? '' : `${e.connectionsPerSecond.toFixed(2)} conn/s · ${percent(e.connectionSuccessRate)}`);
export const figures = (e: TrafficEdge) => {
  const requests = `${e.requestsPerSecond.toFixed(2)} rps · ${percent(e.successRate)} · p99 ${e.p99Ms === undefined ? '-' : `${e.p99Ms.toFixed(1)} ms`}`;
  if (e.connectionsPerSecond === undefined) return requests;
  return e.requestsPerSecond > 0 ? `${requests}\n${connections(e)}` : connections(e);
};

function cell(row: HTMLTableRowElement, text: string): void {
  row.insertCell().textContent = text;
}

function table(view: TrafficView): void {
  const body = document.querySelector('#traffic-table tbody');
  if (!body) return;
  body.replaceChildren();
  for (const e of view.edges) {
    const row = (body as HTMLTableSectionElement).insertRow();
    if (!e.inPolicy) row.className = 'not-in-policy';
    cell(row, e.from === 'unauthenticated' ? 'unauthenticated' : name(e.from));
    cell(row, name(e.to));
    cell(row, e.workloads.join(', '));
    cell(row, e.requestsPerSecond.toFixed(2));
    cell(row, percent(e.successRate));
    cell(row, e.p99Ms === undefined ? '-' : `${e.p99Ms.toFixed(1)} ms`);
    cell(row, connections(e) || '-');
    cell(row, e.inPolicy ? 'yes' : 'no: SMI has no edge for this pair');
  }
}

function graph(cy: Core, view: TrafficView): void {
  cy.batch(() => {
    cy.edges('.observed').remove();
    cy.edges('[kind = "access"]').forEach((edge) => {
      edge.data('label', edge.data('policyLabel'));
      edge.data('traffic', undefined);
      edge.removeClass('live');
    });
    for (const e of view.edges) {
      if (cy.getElementById(e.from).empty() || cy.getElementById(e.to).empty()) continue;
      const edge = cy.edges(`[kind = "access"]`).filter((x) => x.data('source') === e.from && x.data('target') === e.to);
      if (edge.nonempty()) {
        edge.data('label', `${String(edge.data('policyLabel'))}\n${figures(e)}`);
        edge.data('traffic', figures(e));
        edge.data('rps', e.requestsPerSecond + (e.connectionsPerSecond ?? 0));
        edge.addClass('live');
      } else {
        cy.add({ group: 'edges', classes: 'observed', data: { id: `observed:${e.from}>${e.to}`, source: e.from, target: e.to, kind: 'observed', label: `not in the policy\n${figures(e)}`, detail: 'traffic between these identities that the policy does not grant', traffic: figures(e) } });
      }
    }
  });
}

export function followTraffic(cy: () => Core, relabelled: () => void = () => undefined): { refresh(): void } {
  const select = document.getElementById('traffic-window') as HTMLSelectElement | null;
  const status = document.getElementById('traffic-status');
  if (!select || !status) return { refresh: () => undefined };
  let latest: TrafficView | undefined;
  const read = async () => {
    try {
      const res = await fetch(`/api/traffic?window=${encodeURIComponent(select.value)}`);
      const view = (await res.json()) as TrafficView;
      if (view.window !== select.value) return; // the window changed while this was read
      latest = view;
      table(view);
      graph(cy(), view);
      relabelled();
      status.textContent = view.error ? `cannot read traffic: ${view.error}` : `${view.edges.length} edge(s) with traffic over ${view.window}, read ${view.at}`;
      document.body.dataset.trafficRows = String(view.edges.length);
      document.body.dataset.trafficWindow = view.window;
      document.body.dataset.trafficLive = String(cy().edges('.live').length);
      document.body.dataset.trafficObserved = String(cy().edges('.observed').length);
    } catch (e) {
      status.textContent = `cannot read traffic: ${e instanceof Error ? e.message : String(e)}`;
    }
  };
  select.addEventListener('change', () => void read());
  setInterval(() => void read(), 1000 * Number(status.dataset.refresh ?? '10'));
  void read();
  // After the graph is rebuilt, put the last figures back on it at once.
  return { refresh: () => { if (latest) { graph(cy(), latest); relabelled(); } } };
}
