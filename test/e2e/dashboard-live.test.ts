/**
 * `smi dashboard --kubeconfig … --prometheus-url …` as its own process (the real command line), on a
 * real kube-apiserver and a real Prometheus, in a real browser (Debian's chromium, playwright-core):
 * the graph is the cluster's policy; a TrafficTarget deleted and another created with kubectl reach
 * the open page without a reload; the edges carry the traffic Prometheus holds in Istio's exact
 * format — rate, success, p99 — for the window chosen, and traffic the policy has no edge for is drawn
 * as such.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { watchedPage } from '../support/browser.js';
import { startCluster, type Cluster } from '../cluster/cluster.js';
import { kubectlFor, type Kubectl } from './support.js';
import { runCli } from '../support/cli.js';
import { modelOf } from '../support/policy.js';
import { openMetrics, series, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { policyGraph } from '../../src/policy/graph.js';

const BOOKSTORE = resolve(import.meta.dirname, '../../examples/bookstore');
const bookstoreText = () => readdirSync(BOOKSTORE).sort().map((f) => readFileSync(join(BOOKSTORE, f), 'utf8')).join('\n---\n');

// Istio's series, 15 s apart. bookbuyer → bookstore-v1 from half an hour ago into the future: per
// step 10 successes, 1 failure, all between 10 and 20 ms. bookthief → bookstore-v1 only from 30 to
// 20 minutes ago: inside a 1h window, outside a 5m one.
const STEP = 15;
const NOW = Math.floor(Date.now() / 1000 / STEP) * STEP;
const START = NOW - 1800;
const to = { reporter: 'destination', destination_workload: 'bookstore-v1', destination_workload_namespace: 'bookstore' };
const BUYER = { ...to, source_principal: 'spiffe://cluster.local/ns/bookstore/sa/bookbuyer' };
const THIEF = { ...to, source_principal: 'spiffe://cluster.local/ns/bookstore/sa/bookthief' };
const FIXTURE = openMetrics([
  series('istio_requests_total', [{ labels: { ...BUYER, response_code: '200' }, step: 10 }, { labels: { ...BUYER, response_code: '503' }, step: 1 }], START, 160)
    + '\n' + series('istio_requests_total', [{ labels: { ...THIEF, response_code: '403' }, step: 5 }], START, 40).split('\n').slice(1).join('\n'),
  series('istio_request_duration_milliseconds_bucket', [{ labels: { ...BUYER, le: '10' }, step: 0 }, { labels: { ...BUYER, le: '20' }, step: 11 }, { labels: { ...BUYER, le: '+Inf' }, step: 11 }], START, 160),
  // ztunnel (ambient): 3 connections per step from bookbuyer straight to the pod, and 7 that smi's waypoint
  // forwarded — those name the waypoint as the caller and are not an edge of their own.
  series('istio_tcp_connections_opened_total', [
    { labels: { ...BUYER, request_protocol: 'tcp', response_flags: '-' }, step: 3 },
    { labels: { ...to, source_principal: 'spiffe://cluster.local/ns/bookstore/sa/smi-waypoint', source_workload: 'smi-waypoint', request_protocol: 'tcp', response_flags: '-' }, step: 7 },
  ], START, 160),
]);

const THIEF_TARGET = `apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: { name: bookthief-to-bookstore, namespace: bookstore }
spec:
  destination: { kind: ServiceAccount, name: bookstore, namespace: bookstore }
  rules:
    - { kind: HTTPRouteGroup, name: bookstore-routes, matches: [books-bought] }
  sources:
    - { kind: ServiceAccount, name: bookthief, namespace: bookstore }
`;

describe('smi dashboard following a real cluster, with traffic from a real Prometheus', () => {
  let cluster: Cluster;
  let kubectl: Kubectl;
  let prometheus: RunningPrometheus;
  let dashboard: ChildProcess | undefined;
  let log = '';
  let url: string;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];
  const data = async (name: string) => page.getAttribute('body', `data-${name}`);
  const until = async (what: string, check: () => Promise<boolean>, ms = 20_000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}\ndashboard: ${log}`);
  };

  before(async () => {
    prometheus = await startPrometheus(FIXTURE);
    cluster = await startCluster({ dir: mkdtempSync(join(tmpdir(), 'smi-e2e-dashboard-')), controllerManager: false });
    kubectl = kubectlFor(cluster.kubeconfig);
    const crds = await runCli(['crds']);
    assert.equal(crds.code, 0, crds.stderr);
    assert.equal((await kubectl.input(crds.stdout, 'apply', '--server-side', '-f', '-')).code, 0);
    assert.equal((await kubectl('wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all')).code, 0);
    for (const ns of ['bookstore', 'monitoring']) assert.equal((await kubectl('create', 'namespace', ns)).code, 0);
    const applied = await kubectl.input(bookstoreText(), 'apply', '-f', '-');
    assert.equal(applied.code, 0, applied.stderr);

    dashboard = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../support/smi-process.ts'), 'dashboard',
      '--kubeconfig', cluster.kubeconfig, '--mesh', 'istio', '--fence', 'networkpolicy', '--prometheus-url', prometheus.url, '--refresh', '1', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    dashboard.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    dashboard.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await until('the dashboard to listen', async () => /http:\/\/127\.0\.0\.1:\d+\//.test(log), 60_000);
    url = /http:\/\/127\.0\.0\.1:\d+\//.exec(log)![0];

    ({ browser, page, problems } = await watchedPage());
  });
  after(async () => {
    await browser?.close();
    dashboard?.kill();
    await prometheus?.stop();
    await cluster?.stop();
  });

  test('the graph is the cluster\'s policy; edges carry rate, success and p99 from Prometheus', async () => {
    await page.goto(url);
    await page.waitForSelector('body[data-graph-ready="true"]', { timeout: 20_000 });
    const graph = policyGraph(modelOf(bookstoreText()));
    assert.equal(Number(await data('graph-edges')), graph.edges.length);
    assert.match((await page.textContent('#source-status')) ?? '', /^Following https:\/\/127\.0\.0\.1:\d+: version \d+/);
    assert.match((await page.textContent('header')) ?? '', /meshes: istio, istio\+fence/, 'with --fence: the mesh bare and fenced');

    await until('traffic rows', async () => (await data('traffic-rows')) !== null);
    assert.equal(await data('traffic-window'), '5m');
    // Over 5 m: 20 steps of 11 requests = 220, 0.73/s; 200 of 220 succeeded; p99 in the 10–20 ms bucket: 19.9;
    // ztunnel's 3 connections a step, 0.2/s, none closed with a failure.
    const rows = await page.locator('#traffic-table tbody tr').allTextContents();
    assert.deepEqual(rows, ['bookstore/bookbuyerbookstore/bookstorebookstore/bookstore-v10.7390.9%19.9 ms0.20 conn/s · 100.0%yes']);
    assert.equal(await data('traffic-live'), '1', 'the policy edge bookbuyer → bookstore carries the figures');
    assert.equal(await data('traffic-observed'), '0');

    // Over 1h the thief's earlier traffic shows: an edge the policy does not have.
    await page.selectOption('#traffic-window', '1h');
    await until('the 1h window', async () => (await data('traffic-window')) === '1h');
    const thief = page.locator('#traffic-table tbody tr.not-in-policy');
    assert.equal(await thief.count(), 1);
    assert.match((await thief.textContent()) ?? '', /^bookstore\/bookthiefbookstore\/bookstorebookstore\/bookstore-v1.*no: SMI has no edge for this pair$/);
    assert.equal(await data('traffic-observed'), '1');
    await page.selectOption('#traffic-window', '5m');
    await until('the 5m window', async () => (await data('traffic-window')) === '5m');
  });

  test('kubectl delete and create reach the open page without a reload', async () => {
    await page.evaluate('window.notReloaded = true');
    const before = Number(await data('version'));
    const edges = Number(await data('graph-edges'));
    assert.equal((await kubectl('delete', 'traffictargets.access.smi-spec.io', 'bookbuyer-to-bookstore', '-n', 'bookstore')).code, 0);
    await until('the deletion on the page', async () => Number(await data('version')) > before && Number(await data('graph-edges')) === edges - 1);
    assert.equal(await page.locator('#edge-table tbody tr').count(), edges - 1, 'the text twin follows too');
    assert.doesNotMatch((await page.textContent('#edge-table')) ?? '', /bookstore\/bookbuyerbookstore\/bookstoremay call/);
    // The traffic keeps flowing: now it is traffic the policy has no edge for.
    await until('bookbuyer\'s traffic marked as outside the policy', async () => (await data('traffic-observed')) === '1');
    assert.match((await page.textContent('#traffic-table tbody tr.not-in-policy')) ?? '', /^bookstore\/bookbuyer/);

    const afterDelete = Number(await data('version'));
    const created = await kubectl.input(THIEF_TARGET, 'apply', '-f', '-');
    assert.equal(created.code, 0, created.stderr);
    // The version is set once both the graph and the text have been redrawn.
    await until('the new TrafficTarget on the page', async () => Number(await data('version')) > afterDelete && Number(await data('graph-edges')) === edges);
    assert.match((await page.textContent('#edge-table')) ?? '', /bookstore\/bookthiefbookstore\/bookstoremay callGET \^\/books-bought /);
    assert.equal(await page.evaluate('window.notReloaded === true'), true, 'the page was not reloaded');
    if (process.env.SMI_SCREENSHOTS) await page.screenshot({ path: join(process.env.SMI_SCREENSHOTS, 'dashboard-live.png'), fullPage: false });
  });

  test('explain names the granting object on the cluster (where files would give file:line)', async () => {
    await page.goto(`${url}?to=bookstore/bookstore`);
    assert.match((await page.textContent('#explain-access')) ?? '', /bookstore\/bookthief[\s\S]*TrafficTarget bookstore\/bookthief-to-bookstore[\s\S]*TrafficTarget\/bookstore\/bookthief-to-bookstore/);
    await page.goto(url);
    await page.waitForSelector('body[data-graph-ready="true"]', { timeout: 20_000 });
  });

  test('namespaces collapse into one node each and expand again', async () => {
    const shown = Number(await data('graph-shown'));
    await page.click('#graph-collapse');
    await until('collapsed', async () => Number(await data('graph-collapsed')) > 0);
    assert.equal(await data('graph-collapsed'), '2', 'bookstore and monitoring');
    assert.equal(await data('graph-shown'), '0');
    await page.click('#graph-expand');
    await until('expanded', async () => (await data('graph-collapsed')) === '0');
    assert.equal(Number(await data('graph-shown')), shown);
    assert.deepEqual(problems, [], 'no CSP violation or script error');
  });
});
