/**
 * The graph read by measurement, in Debian's chromium at 1400×900: on the bundled examples no label
 * covers another (node names, namespace titles and edge labels, by their rendered boxes), edges carry
 * short labels with the full text a click away, the legend says what every mark means, the same input
 * is drawn the same way on every load, and a graph past the collapse size opens folded by namespace,
 * one edge per pair, with a search that centres on what it finds.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { watchedPage } from '../support/browser.js';
import { validateYaml } from '../support/inputs.js';
import { deploymentYaml, serviceYaml } from '../support/policy.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { findTarget, scopeOptions } from '../../src/targets/registry.js';
import { DEFAULT_OPTIONS } from '../../src/targets/target.js';
import { startDashboard, type RunningDashboard } from '../../src/dashboard/server.js';
import { policyGraph } from '../../src/policy/graph.js';

interface Box { x1: number; x2: number; y1: number; y2: number }
interface Drawn { id: string; box: Box }
interface Drawing { zoom: number; pan: { x: number; y: number }; nodes: Drawn[]; titles: Drawn[]; edges: (Drawn & { label: string })[]; positions: Record<string, { x: number; y: number }>; fontPx: number }

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
const examplesText = readdirSync(EXAMPLES, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => readFileSync(join(EXAMPLES, f), 'utf8')).join('\n---\n');

async function dashboardOf(text: string): Promise<RunningDashboard> {
  const input = validateYaml(text);
  const model = resolvePolicy(input, { mode: 'strict', scope: scopeOptions() });
  const istio = findTarget('istio')!;
  return startDashboard({ model, input: input.diagnostics, sides: [{ target: istio, options: DEFAULT_OPTIONS, translation: istio.translate(model, DEFAULT_OPTIONS) }] }, { host: '127.0.0.1', port: 0 });
}

/** What the page drew, read from Cytoscape: rendered boxes (pixels of the canvas) and model positions. */
const drawing = (page: Page): Promise<Drawing> => page.evaluate(() => {
  type El = { id(): string; data(k: string): unknown; isParent(): boolean; visible(): boolean; position(): { x: number; y: number }; renderedBoundingBox(o: object): Box };
  type Coll = { filter(f: (e: El) => boolean): Coll; map<T>(f: (e: El) => T): T[] };
  const cy = (globalThis as unknown as { smiGraph: { zoom(): number; pan(): { x: number; y: number }; nodes(): Coll; edges(): Coll } }).smiGraph;
  const leaves = cy.nodes().filter((n) => !n.isParent() && n.visible());
  return {
    zoom: cy.zoom(),
    pan: cy.pan(),
    nodes: leaves.map((n) => ({ id: n.id(), box: n.renderedBoundingBox({ includeLabels: true, includeOverlays: false }) })),
    titles: cy.nodes().filter((n) => n.isParent() && n.visible()).map((n) => ({ id: n.id(), box: n.renderedBoundingBox({ includeNodes: false, includeLabels: true, includeOverlays: false }) })),
    edges: cy.edges().filter((e) => e.visible() && String(e.data('label') ?? '') !== '').map((e) => ({ id: e.id(), label: String(e.data('label')), box: e.renderedBoundingBox({ includeNodes: false, includeEdges: false, includeLabels: true, includeOverlays: false }) })),
    positions: Object.fromEntries(leaves.map((n) => [n.id(), n.position()])),
    fontPx: 12 * cy.zoom(),
  };
});

const overlap = (a: Box, b: Box) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

function overlaps(d: Drawing): string[] {
  const labelled = [...d.nodes.map((n) => ({ ...n, what: 'node' })), ...d.titles.map((t) => ({ ...t, what: 'namespace title' })), ...d.edges.map((e) => ({ ...e, what: `edge label "${e.label}"` }))];
  const out: string[] = [];
  for (let i = 0; i < labelled.length; i++) {
    for (let j = i + 1; j < labelled.length; j++) {
      const [a, b] = [labelled[i]!, labelled[j]!];
      if (a.what === 'namespace title' && b.what === 'namespace title') continue; // titles sit on their boxes, which fcose keeps apart
      if (overlap(a.box, b.box)) out.push(`${a.what} ${a.id} covers ${b.what} ${b.id}`);
    }
  }
  return out;
}

describe('the bundled examples at 1400×900', () => {
  let running: RunningDashboard;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  before(async () => {
    running = await dashboardOf(examplesText);
    ({ browser, page, problems } = await watchedPage());
    await page.setViewportSize({ width: 1400, height: 900 });
  });
  after(async () => {
    await browser?.close();
    await running?.close();
  });
  const load = async () => {
    await page.goto(running.url);
    await page.waitForSelector('body[data-graph-ready="true"]', { timeout: 15_000 });
    return drawing(page);
  };

  test('no label covers another, and labels are legible without zooming', async () => {
    const d = await load();
    assert.deepEqual(overlaps(d), []);
    assert.equal(await page.getAttribute('body', 'data-graph-crowded-labels'), '0');
    assert.ok(d.fontPx >= 7, `node labels drawn at ${d.fontPx.toFixed(1)} px`);
    // Every node is inside the canvas.
    const canvas = await page.locator('#graph').boundingBox();
    for (const n of d.nodes) assert.ok(n.box.x1 >= -1 && n.box.y1 >= -1 && n.box.x2 <= canvas!.width + 1 && n.box.y2 <= canvas!.height + 1, `${n.id} outside the canvas: ${JSON.stringify(n.box)}`);
    assert.deepEqual(problems, []);
  });

  test('edges carry short labels (route names, ports, shares); a click shows the edge in full beside the graph', async () => {
    const d = await load();
    const graph = policyGraph(resolvePolicy(validateYaml(examplesText), { mode: 'strict', scope: scopeOptions() }));
    assert.equal(d.edges.length, graph.edges.length);
    for (const e of d.edges) assert.ok(e.label.length <= 40 && !e.label.includes('^'), `a long or regex label on the canvas: ${e.label}`);
    const buyer = graph.edges.find((e) => e.from === 'sa:bookstore/bookbuyer' && e.to === 'sa:bookstore/bookstore')!;
    assert.match(buyer.label, /\^/, 'the full label holds the regexes');
    const id = d.edges.find((e) => e.label === buyer.short)!.id;
    // A click where Cytoscape drew the edge's label.
    const box = d.edges.find((e) => e.id === id)!.box;
    const canvas = (await page.locator('#graph').boundingBox())!;
    await page.mouse.click(canvas.x + (box.x1 + box.x2) / 2, canvas.y + (box.y1 + box.y2) / 2);
    await page.waitForSelector('body[data-graph-details]');
    assert.equal(await page.getAttribute('body', 'data-graph-details'), 'bookstore/bookbuyer may call bookstore/bookstore');
    assert.equal((await page.textContent('#graph-details pre'))?.trim(), buyer.label);
  });

  test('a legend names every mark; with JavaScript off the graph box says where the text is', async () => {
    await load();
    const legend = await page.locator('#graph-legend li').allTextContents();
    for (const mark of ['ServiceAccount', 'Service', 'namespace smi governs', 'left alone', 'red outline', 'may call', 'splits to', 'live traffic', 'does not grant', 'search match']) {
      assert.ok(legend.some((l) => l.includes(mark)), `the legend lacks "${mark}": ${legend.join(' | ')}`);
    }
    const html = await (await fetch(running.url)).text();
    assert.match(html, /<div id="graph"[^>]*><noscript><p>The graph is drawn with JavaScript, which is off\. Everything it shows is also here as text: the <a href="#namespaces">namespaces<\/a>/);
  });

  test('the same input is drawn the same way on every load', async () => {
    const first = await load();
    const second = await load();
    assert.deepEqual(second.positions, first.positions);
    assert.deepEqual(second.edges.map((e) => e.box), first.edges.map((e) => e.box));
  });
});

describe('a graph past the collapse size (160 ServiceAccounts in 4 namespaces)', () => {
  // Per namespace: 40 apps, each a ServiceAccount with a Deployment and a Service, the one before it granted to call it.
  const big = ['orders', 'payments', 'search', 'users'].flatMap((ns) => Array.from({ length: 40 }, (_, i) => {
    const app = `app-${i}`;
    return deploymentYaml(ns, app, app, [8080]) + serviceYaml(ns, app, 8080) + (i === 0 ? '' : `---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: to-${app}, namespace: ${ns}}
spec:
  destination: {kind: ServiceAccount, name: ${app}, namespace: ${ns}}
  rules: [{kind: TCPRoute, name: any}]
  sources: [{kind: ServiceAccount, name: app-${i - 1}, namespace: ${ns}}, {kind: ServiceAccount, name: app-0, namespace: orders}]
`);
  }).concat(`---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: any, namespace: ${ns}}
spec: {}
`)).join('\n');
  let running: RunningDashboard;
  let browser: Browser;
  let page: Page;
  before(async () => {
    running = await dashboardOf(big);
    ({ browser, page } = await watchedPage());
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(running.url);
    await page.waitForSelector('body[data-graph-ready="true"]', { timeout: 30_000 });
  });
  after(async () => {
    await browser?.close();
    await running?.close();
  });

  test('it opens collapsed by namespace, one edge per pair of namespaces, and says what the boxes hold', async () => {
    assert.equal(await page.getAttribute('body', 'data-graph-collapsed'), '4');
    const status = (await page.textContent('#graph-status')) ?? '';
    assert.equal(status, '4 namespace(s) collapsed, holding 160 node(s) (double-click one to open it, or Expand all)');
    const pairs = await page.evaluate(() => {
      const cy = (globalThis as unknown as { smiGraph: { edges(): { filter(f: (e: { visible(): boolean }) => boolean): { map<T>(f: (e: { data(k: string): string }) => T): T[] } } } }).smiGraph;
      return cy.edges().filter((e) => e.visible()).map((e) => `${e.data('source')}>${e.data('target')}`);
    });
    assert.ok(pairs.length > 0);
    assert.equal(new Set(pairs).size, pairs.length, `edges between collapsed namespaces repeat: ${pairs.join(', ')}`);
  });

  test('a search (Enter) opens the namespaces and centres on what it found', async () => {
    await page.fill('#graph-search', 'users/app-7');
    await page.press('#graph-search', 'Enter');
    await page.waitForSelector('body[data-graph-centred="users/app-7"]');
    assert.equal(await page.getAttribute('body', 'data-graph-collapsed'), '0');
    const after = await drawing(page);
    const found = after.nodes.find((n) => n.id === 'sa:users/app-7');
    assert.ok(found, 'the node is drawn once its namespace is open');
    const canvas = (await page.locator('#graph').boundingBox())!;
    const cx = (found.box.x1 + found.box.x2) / 2;
    const cy = (found.box.y1 + found.box.y2) / 2;
    assert.ok(Math.abs(cx - canvas.width / 2) < canvas.width / 4 && Math.abs(cy - canvas.height / 2) < canvas.height / 4, `not centred: ${cx},${cy} in ${canvas.width}×${canvas.height}`);
    assert.ok(after.fontPx >= 12, `zoomed in to read it: labels at ${after.fontPx.toFixed(1)} px`);
  });
});
