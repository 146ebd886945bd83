/**
 * Takes the screenshots of the dashboard in docs/ and the README's (`npm run screenshots` after
 * changing the page): the bundled examples, with istio and cilium, at 1400×900 in Debian's chromium.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { validateYaml } from '../test/support/inputs.js';
import { resolvePolicy } from '../src/policy/resolve.js';
import { findTarget } from '../src/targets/registry.js';
import { DEFAULT_OPTIONS } from '../src/targets/target.js';
import { startDashboard } from '../src/dashboard/server.js';

const root = resolve(import.meta.dirname, '..');
const examples = join(root, 'examples');
const text = readdirSync(examples, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => readFileSync(join(examples, f), 'utf8')).join('\n---\n');
const input = validateYaml(text);
const model = resolvePolicy(input, { mode: 'strict' });
const sides = ['istio', 'cilium'].map((m) => {
  const target = findTarget(m)!;
  return { target, options: DEFAULT_OPTIONS, translation: target.translate(model, DEFAULT_OPTIONS) };
});
const running = await startDashboard({ model, input: input.diagnostics, sides }, { host: '127.0.0.1', port: 0 });
const browser = await chromium.launch({ executablePath: process.env.SMI_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${running.url}?from=bookstore/bookbuyer&to=bookstore/bookstore&port=14001&method=GET&path=/books-bought&headers=user-agent%3Dgo-http-client/1.1`);
  await page.waitForSelector('body[data-graph-ready="true"]');
  await page.screenshot({ path: join(root, 'docs/dashboard-graph.png'), clip: { x: 0, y: 0, width: 1400, height: 900 } });
  await page.locator('#answer').screenshot({ path: join(root, 'docs/dashboard-what-if.png') });
  await page.goto(`${running.url}?service=bookstore/bookstore&path=/`);
  await page.locator('#route-answer').screenshot({ path: join(root, 'docs/dashboard-route.png') });
} finally {
  await browser.close();
  await running.close();
}
