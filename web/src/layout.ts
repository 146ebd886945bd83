/**
 * The graph's layout, the same on every load of the same graph: fcose places nodes from a random
 * start, so the start is drawn from a generator seeded by the graph itself (its node ids) rather than
 * Math.random. A redraw of a changed graph keeps every node that stays where it was.
 */
import type { Core, LayoutOptions, NodeSingular, Position } from 'cytoscape';

export const LAYOUT = {
  name: 'fcose', animate: false, randomize: true, quality: 'proof',
  // Room for labels: nodes repel more and edges are longer than fcose's defaults.
  nodeRepulsion: () => 6500, idealEdgeLength: () => 95, nodeSeparation: 70, nestingFactor: 0.4, packComponents: true, tilingPaddingVertical: 20, tilingPaddingHorizontal: 20, padding: 16,
  nodeDimensionsIncludeLabels: true,
} as LayoutOptions;

/** mulberry32: small, fast, and good enough to scatter a layout's start. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(cy: Core): number {
  let h = 2166136261;
  for (const id of cy.nodes().map((n) => n.id()).sort()) for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Lays the graph out from a start seeded by its nodes: the same graph, the same picture. */
export function layOut(cy: Core, options: LayoutOptions = LAYOUT): void {
  const random = Math.random;
  Math.random = seeded(seedOf(cy));
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
