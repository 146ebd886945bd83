/**
 * The dashboard in a real browser (Debian's chromium, driven by playwright-core): the graph drawn from
 * the bundled examples, search and namespace filter, a what-if asked through the form, an identity's
 * explanation — and no Content-Security-Policy violation on the way.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { watchedPage } from '../support/browser.js';
import { validateYaml } from '../support/inputs.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { findTarget, scopeOptions } from '../../src/targets/registry.js';
import { DEFAULT_OPTIONS } from '../../src/targets/target.js';
import { startDashboard, type RunningDashboard } from '../../src/dashboard/server.js';
import { policyGraph } from '../../src/policy/graph.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
const text = readdirSync(EXAMPLES, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => readFileSync(join(EXAMPLES, f), 'utf8')).join('\n---\n');
const input = validateYaml(text);
const model = resolvePolicy(input, { mode: 'strict', scope: scopeOptions() });
const istio = findTarget('istio')!;

let running: RunningDashboard;
let browser: Browser;
let page: Page;
let violations: string[] = [];

before(async () => {
  running = await startDashboard({ model, input: input.diagnostics, sides: [{ target: istio, options: DEFAULT_OPTIONS, translation: istio.translate(model, DEFAULT_OPTIONS) }] }, { host: '127.0.0.1', port: 0 });
  ({ browser, page, problems: violations } = await watchedPage());
});
after(async () => {
  await browser?.close();
  await running?.close();
});

test('the graph holds every identity, Service and edge of the policy; search and the namespace filter narrow it', async () => {
  await page.goto(running.url);
  await page.waitForSelector('body[data-graph-ready="true"]', { timeout: 15_000 });
  const graph = policyGraph(model);
  assert.equal(Number(await page.getAttribute('body', 'data-graph-nodes')), graph.identities.length + graph.services.length);
  assert.equal(Number(await page.getAttribute('body', 'data-graph-edges')), graph.edges.length);
  await page.fill('#graph-search', 'bookbuyer');
  assert.equal(await page.getAttribute('body', 'data-graph-matched'), '1');
  assert.match((await page.textContent('#graph-status')) ?? '', /1 matching "bookbuyer"/);
  await page.selectOption('#graph-namespace', 'bookstore');
  const shown = Number(await page.getAttribute('body', 'data-graph-shown'));
  const inBookstore = graph.identities.filter((i) => i.startsWith('bookstore/')).length + graph.services.filter((s) => s.startsWith('bookstore/')).length;
  assert.equal(shown, inBookstore);
  await page.selectOption('#graph-kind', 'service');
  assert.equal(Number(await page.getAttribute('body', 'data-graph-shown')), graph.services.filter((s) => s.startsWith('bookstore/')).length, 'Services of bookstore only');
  await page.selectOption('#graph-kind', '');
  // Only where istio differs from SMI: the destinations the view lists for it (once they are all asked).
  await page.waitForSelector('body[data-differences-complete="true"]', { timeout: 15_000 });
  await page.selectOption('#graph-namespace', '');
  await page.selectOption('#graph-differs', 'istio');
  const differing = Number(await page.getAttribute('body', 'data-graph-shown'));
  assert.ok(differing > 0 && differing === await page.locator('#differences h3:has-text("istio") + ul > li').count(), `${differing} shown`);
  // The canvas has a text twin: the edge table.
  assert.ok(await page.locator('#edge-table tbody tr').count() === graph.edges.length);
});

test('a what-if asked through the form: SMI and istio answer, with the reasons', async () => {
  await page.goto(running.url);
  await page.fill('#from', 'bookstore/bookthief');
  await page.fill('#to', 'bookstore/bookstore');
  await page.fill('#port', '14001');
  await page.fill('#path', '/books-bought');
  await Promise.all([page.waitForURL(/from=bookstore%2Fbookthief/), page.click('button[type=submit]')]);
  assert.equal(await page.textContent('#smi-answer'), 'SMI: DENY');
  const row = await page.textContent('#mesh-answers tbody tr');
  assert.match(row ?? '', /istio.*DENY.*same as SMI/s);
});

test('a route what-if asked through its form: SMI\'s shares beside istio\'s', async () => {
  await page.goto(running.url);
  await page.fill('#route-service', 'bookstore/bookstore');
  await page.fill('#route-path', '/books-bought');
  await Promise.all([page.waitForURL(/service=bookstore%2Fbookstore/), page.click('#route-what-if button[type=submit]')]);
  assert.equal(await page.textContent('#smi-route strong'), 'SMI: bookstore/bookstore-v1 75.0%, bookstore/bookstore-v2 25.0%');
  assert.match((await page.textContent('#mesh-routes tbody tr')) ?? '', /istio.*bookstore-v1 75\.0%.*same as SMI/s);
});

test('an identity\'s explanation: who may call it, granted by which TrafficTarget, file:line', async () => {
  await page.goto(`${running.url}?to=bookstore/bookstore`);
  assert.match((await page.textContent('#explain h2')) ?? '', /Who may call bookstore\/bookstore/);
  assert.match((await page.textContent('#explain-access')) ?? '', /bookstore\/bookbuyer[\s\S]*TrafficTarget bookstore\/bookbuyer-to-bookstore[\s\S]*\.yaml:\d+/);
  assert.deepEqual(violations, [], 'no CSP violation or script error');
});
