/**
 * The graph's layout, the same on every load of the same graph: fcose places nodes from a random
 * start, so the start is drawn from a generator seeded by the graph itself (its node ids) rather than
 * Math.random. A redraw of a changed graph keeps every node that stays where it was.
 */
import type { Core, LayoutOptions, NodeSingular, Position } from 'cytoscape';
import { seededRandom } from '../../src/seeded-random.js';

export const LAYOUT = {
  name: 'fcose', animate: false, randomize: true, quality: 'proof',
  // Room for labels: nodes repel more and edges are longer than fcose's defaults.
  nodeRepulsion: () => 6500, idealEdgeLength: () => 95, nodeSeparation: 70, nestingFactor: 0.4, packComponents: true, tilingPaddingVertical: 20, tilingPaddingHorizontal: 20, padding: 16,
  nodeDimensionsIncludeLabels: true,
} as LayoutOptions;

function seedOf(cy: Core): number {
  let h = 2166136261;
  for (const id of cy.nodes().map((n) => n.id()).sort()) for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Lays the graph out from a start seeded by its nodes: the same graph, the same picture. */
export function layOut(cy: Core, options: LayoutOptions = LAYOUT): void {
  const random = Math.random;
  Math.random = seededRandom(seedOf(cy));
  try {
    cy.layout(options).run();
  } finally {
    Math.random = random;
  }
}

export type Positions = ReadonlyMap<string, Position>;

export const positionsOf = (cy: Core): Positions => new Map(cy.nodes().filter((n) => !n.isParent()).map((n: NodeSingular) => [n.id(), { ...n.position() }]));

/** After a redraw: where every leaf node is known, put it back; otherwise lay out afresh (seeded). */
export function restore(cy: Core, before: Positions): void {
  const leaves = cy.nodes().filter((n) => !n.isParent());
  if (leaves.nonempty() && leaves.every((n) => before.has((n as NodeSingular).id()))) {
    cy.layout({ name: 'preset', positions: (n: NodeSingular) => before.get(n.id()), fit: false, animate: false } as LayoutOptions).run();
  } else {
    layOut(cy);
  }
}
