/**
 * Edge labels placed where they cover nothing: Cytoscape writes an edge's label at its midpoint, and
 * where edges fan out or cross the midpoints meet. After each layout every edge label, in a fixed
 * order, takes the first spot along its edge (the middle first, then towards either end, then beside
 * the line) that overlaps no node, node label, namespace title or label already placed; one with no free spot stays in
 * the middle. Model coordinates, so zooming keeps it.
 */
import type { BoundingBox12, Core, EdgeSingular } from 'cytoscape';

type Box = Pick<BoundingBox12, 'x1' | 'x2' | 'y1' | 'y2'>;

const overlaps = (a: Box, b: Box) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
const ALONG = [0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8];
const BESIDE = [0, 1, -1, 2, -2];
const GAP = 2;

/** Places every drawn edge's label; returns how many found no free spot. */
export function placeEdgeLabels(cy: Core): number {
  const taken: Box[] = [
    ...cy.nodes().filter((n) => !n.isParent() && n.visible()).map((n) => n.boundingBox({ includeLabels: true, includeOverlays: false })),
    // A namespace's box may be crossed; its title may not.
    ...cy.nodes().filter((n) => n.isParent() && n.visible()).map((n) => n.boundingBox({ includeNodes: false, includeLabels: true, includeOverlays: false })),
  ];
  let crowded = 0;
  const edges = cy.edges().filter((e) => e.visible() && String(e.data('label') ?? '') !== '').sort((a, b) => a.id().localeCompare(b.id()));
  edges.forEach((edge: EdgeSingular) => {
    edge.style({ 'text-margin-x': 0, 'text-margin-y': 0 });
    const at = edge.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true, includeOverlays: false });
    const w = at.x2 - at.x1 + GAP;
    const h = at.y2 - at.y1 + GAP;
    const mid = { x: (at.x1 + at.x2) / 2, y: (at.y1 + at.y2) / 2 };
    const s = edge.sourceEndpoint();
    const t = edge.targetEndpoint();
    const length = Math.hypot(t.x - s.x, t.y - s.y) || 1;
    // Beside the line: perpendicular to it, a label's height per step.
    const normal = { x: -(t.y - s.y) / length, y: (t.x - s.x) / length };
    for (const side of BESIDE) {
      for (const f of ALONG) {
        const x = s.x + f * (t.x - s.x) + side * normal.x * h;
        const y = s.y + f * (t.y - s.y) + side * normal.y * h;
        const box = { x1: x - w / 2, x2: x + w / 2, y1: y - h / 2, y2: y + h / 2 };
        if (taken.some((b) => overlaps(b, box))) continue;
        edge.style({ 'text-margin-x': x - mid.x, 'text-margin-y': y - mid.y });
        taken.push(box);
        return;
      }
    }
    crowded++;
    taken.push({ x1: mid.x - w / 2, x2: mid.x + w / 2, y1: mid.y - h / 2, y2: mid.y + h / 2 });
  });
  return crowded;
}
