/**
 * The dashboard beyond one picture: route what-ifs (SMI's shares beside each mesh's), new versions of
 * the state pushed as Server-Sent Events and served at once, and live traffic joined onto the graph —
 * from the PromQL answers of each mesh's exact label format to per-identity edges.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateYaml } from '../support/inputs.js';
import { findTarget } from '../../src/targets/registry.js';
import { DEFAULT_OPTIONS } from '../../src/targets/target.js';
import { startDashboard, type RunningDashboard } from '../../src/dashboard/server.js';
import { dashboardState, type DashboardSettings } from '../../src/dashboard/state.js';
import { StateFeed } from '../../src/dashboard/source.js';
import { parseRouteQuestion } from '../../src/dashboard/request.js';
import { routeWhatIf, type RouteWhatIf } from '../../src/dashboard/what-if.js';
import { trafficEdges } from '../../src/dashboard/traffic.js';
import { edgeTrafficQueries, observedEdges, type ObservedEdge } from '../../src/metrics/edge-traffic.js';
import { policyGraph } from '../../src/policy/graph.js';
import type { Sample } from '../../src/metrics/prometheus.js';

const BOOKSTORE = resolve(import.meta.dirname, '../../examples/bookstore');
const files = readdirSync(BOOKSTORE).sort().map((f) => [f, readFileSync(join(BOOKSTORE, f), 'utf8')] as const);
const text = files.map(([, t]) => t).join('\n---\n');
const settings: DashboardSettings = { mode: 'strict', meshes: [{ target: findTarget('istio')!, options: DEFAULT_OPTIONS }, { target: findTarget('linkerd')!, options: DEFAULT_OPTIONS }] };
const state = dashboardState(validateYaml(text), settings);
// The same policy without the TrafficTarget that lets bookbuyer call bookstore.
const withoutBuyer = dashboardState(validateYaml(text.replace(/kind: TrafficTarget\nmetadata: \{ name: bookbuyer-to-bookstore[\s\S]*?\n---\n/, '')), settings);

describe('route what-if', () => {
  test('SMI\'s shares from the TrafficSplit, beside each mesh\'s, with the split named', () => {
    const r = routeWhatIf(state.model, { service: { namespace: 'bookstore', name: 'bookstore' }, protocol: 'http', http: { method: 'GET', path: '/', headers: new Map() } }, state.sides);
    assert.deepEqual(r.smi.backends.map((b) => [b.service, b.share]), [['bookstore/bookstore-v1', 0.75], ['bookstore/bookstore-v2', 0.25]]);
    assert.match(r.smi.split ?? '', /TrafficSplit bookstore\/bookstore-rollout \[input\.yaml:\d+\]/);
    assert.deepEqual(r.meshes.map((m) => [m.mesh, m.differs]), [['istio', false], ['linkerd', false]]);
    for (const m of r.meshes) assert.deepEqual(m.backends.map((b) => b.service).sort(), ['bookstore/bookstore-v1', 'bookstore/bookstore-v2']);
  });

  test('route questions are checked', () => {
    assert.deepEqual(parseRouteQuestion({ service: 'bookstore' }), { error: 'service: "bookstore" is not NS/SERVICE' });
    assert.match((parseRouteQuestion({ service: 'a/b', port: '0' }) as { error: string }).error, /^port:/);
    const ok = parseRouteQuestion({ service: 'a/b', protocol: 'tcp', port: '80' });
    assert.deepEqual(ok, { service: { namespace: 'a', name: 'b' }, protocol: 'tcp', port: 80 });
  });
});

describe('live traffic, joined onto the graph (pure)', () => {
  const istio = edgeTrafficQueries('istio', '5m')!;
  const sample = (metric: Record<string, string>, value: number): Sample => ({ metric, value });
  const to = (workload: string) => ({ destination_workload: workload, destination_workload_namespace: 'bookstore' });
  const buyer = { source_principal: 'spiffe://cluster.local/ns/bookstore/sa/bookbuyer' };
  const thief = { source_principal: 'spiffe://cluster.local/ns/bookstore/sa/bookthief' };
  // Over 5 minutes: 600 and 300 requests from bookbuyer to the two versions, 30 from the thief, 60 without identity.
  const answers = {
    total: [sample({ ...buyer, ...to('bookstore-v1') }, 600), sample({ ...buyer, ...to('bookstore-v2') }, 300), sample({ ...thief, ...to('bookstore-v1') }, 30), sample(to('bookwarehouse'), 60), sample({ ...buyer, ...to('elsewhere') }, 3), sample({ ...buyer, ...to('bookstore-v1'), destination_workload: '' }, 9)],
    failed: [sample({ ...buyer, ...to('bookstore-v1') }, 6), sample({ ...thief, ...to('bookstore-v1') }, 30)],
    p99: [sample({ ...buyer, ...to('bookstore-v1') }, 42), sample({ ...buyer, ...to('bookstore-v2') }, 80), sample({ ...thief, ...to('bookstore-v1') }, Number.NaN)],
  };

  test('the queries read the server side, grouped by caller identity and workload, over the window asked', () => {
    assert.match(istio.total, /^sum by \(source_principal, destination_workload, destination_workload_namespace\) \(increase\(istio_requests_total\{reporter=~"destination\|waypoint"\}\[5m\]\)\)$/);
    assert.match(istio.failed, /response_code=~"5\.\."/);
    assert.match(istio.p99, /^histogram_quantile\(0\.99, sum by \(le, source_principal, .*istio_request_duration_milliseconds_bucket\{reporter=~"destination\|waypoint"\}\[5m\]/);
    const linkerd = edgeTrafficQueries('linkerd', '1h')!;
    assert.match(linkerd.total, /response_total\{direction="inbound"\}\[1h\]/);
    assert.deepEqual(linkerd.key(sample({ client_id: 'bookbuyer.bookstore.serviceaccount.identity.linkerd.cluster.local', namespace: 'bookstore', deployment: 'bookstore-v1' }, 1)), { source: { namespace: 'bookstore', name: 'bookbuyer' }, destination: { namespace: 'bookstore', name: 'bookstore-v1' } });
  });

  test('Cilium, Consul and App Mesh: both ends as their metrics name them, placed on ServiceAccounts through the inventory', () => {
    const graph = policyGraph(state.model);
    // Hubble: the calling and the called workload.
    const cilium = edgeTrafficQueries('cilium', '5m')!;
    assert.match(cilium.p99, /^1000 \* histogram_quantile\(0\.99, .*hubble_http_request_duration_seconds_bucket\{reporter="server"\}\[5m\]/);
    const hubble = (src: Record<string, string>, n: number) => sample({ ...src, destination_namespace: 'bookstore', destination_workload: 'bookstore-v1' }, n);
    const c = trafficEdges(state.model, graph.edges, observedEdges(cilium, '5m', { total: [hubble({ source_namespace: 'bookstore', source_workload: 'bookbuyer' }, 300), hubble({ source_namespace: '', source_workload: '' }, 30)], failed: [], p99: [] }));
    assert.deepEqual(c.map((e) => [e.from, e.to, e.requestsPerSecond, e.inPolicy]), [['sa:bookstore/bookbuyer', 'sa:bookstore/bookstore', 1, true], ['unauthenticated', 'sa:bookstore/bookstore', 0.1, false]]);
    // Consul: the caller's upstream cluster names the Consul service; it stands for the Services of that name.
    const consul = edgeTrafficQueries('consul', '5m')!;
    assert.match(consul.total, /envoy_cluster_upstream_rq_xx\{consul_destination_service!=""\}\[5m\]/);
    const k = trafficEdges(state.model, graph.edges, observedEdges(consul, '5m', { total: [
      sample({ namespace: 'bookstore', deployment: 'bookthief', consul_destination_service: 'bookstore', consul_destination_namespace: 'default' }, 60),
      sample({ namespace: 'bookstore', deployment: 'bookbuyer', consul_destination_service: 'nowhere', consul_destination_namespace: 'default' }, 60),
    ], failed: [sample({ namespace: 'bookstore', deployment: 'bookthief', consul_destination_service: 'bookstore', consul_destination_namespace: 'default' }, 15)], p99: [] }));
    assert.deepEqual(k.map((e) => [e.from, e.to, e.successRate?.toFixed(6), e.inPolicy]), [['sa:bookstore/bookbuyer', 'service:default/nowhere', '1.000000', false], ['sa:bookstore/bookthief', 'sa:bookstore/bookstore', '0.750000', false]]);
    // App Mesh: the egress cluster of smi's node for the Service called.
    const appmesh = edgeTrafficQueries('appmesh', '5m')!;
    assert.match(appmesh.total, /label_replace\(label_replace\(increase\(envoy_cluster_upstream_rq_xx\{envoy_cluster_name=~"cds_egress_/);
    const a = trafficEdges(state.model, graph.edges, observedEdges(appmesh, '5m', { total: [sample({ namespace: 'bookstore', deployment: 'bookbuyer', smi_peer_namespace: 'bookstore', smi_peer_service: 'bookstore' }, 150)], failed: [], p99: [sample({ namespace: 'bookstore', deployment: 'bookbuyer', smi_peer_namespace: 'bookstore', smi_peer_service: 'bookstore' }, 12)] }));
    assert.deepEqual(a.map((e) => [e.from, e.to, e.requestsPerSecond, e.p99Ms, e.inPolicy, e.workloads]), [['sa:bookstore/bookbuyer', 'sa:bookstore/bookstore', 0.5, 12, true, ['service:bookstore/bookstore']]]);
  });

  test('per workload: rate over the window, success share, p99 (NaN is no figure); samples naming no workload are dropped', () => {
    const edges = observedEdges(istio, '5m', answers);
    const named = (e: ObservedEdge['source'] | ObservedEdge['destination']) => (typeof e === 'object' && 'name' in e ? e.name : undefined);
    const v1 = edges.find((e) => named(e.source) === 'bookbuyer' && named(e.destination) === 'bookstore-v1')!;
    assert.deepEqual(v1, { source: { namespace: 'bookstore', name: 'bookbuyer' }, destination: { namespace: 'bookstore', name: 'bookstore-v1' }, requestsPerSecond: 2, successRate: 0.99, p99Ms: 42 });
    const thiefEdge = edges.find((e) => named(e.source) === 'bookthief')!;
    assert.equal(thiefEdge.successRate, 0);
    assert.equal(thiefEdge.p99Ms, undefined);
    assert.ok(edges.some((e) => e.source === 'unauthenticated' && named(e.destination) === 'bookwarehouse'));
    assert.equal(edges.length, 5);
  });

  test('connections an L4 proxy carried add up apart from requests, their success share weighted by rate', () => {
    const graph = policyGraph(state.model);
    const opened = [sample({ ...buyer, ...to('bookstore-v1') }, 300), sample({ ...buyer, ...to('bookstore-v2') }, 60), sample({ ...thief, ...to('bookstore-v2') }, 0)];
    const refused = [sample({ ...buyer, ...to('bookstore-v2') }, 30)];
    const observed = observedEdges(istio, '5m', { total: [], failed: [], p99: [], connections: { opened, failed: refused } });
    assert.equal(observed.length, 2, 'an edge with no connection in the window is left out');
    const edges = trafficEdges(state.model, graph.edges, observed);
    assert.deepEqual(edges.map((e) => [e.from, e.to, e.requestsPerSecond, e.successRate, e.connectionsPerSecond]), [['sa:bookstore/bookbuyer', 'sa:bookstore/bookstore', 0, undefined, 1.2]]);
    assert.ok(Math.abs(edges[0]!.connectionSuccessRate! - (1 * 1 + 0.5 * 0.2) / 1.2) < 1e-12);
    assert.match(istio.connections!.opened, /istio_tcp_connections_opened_total\{reporter=~"destination\|waypoint", source_principal!~"spiffe:\/\/\[\^\/\]\+\/ns\/\[\^\/\]\+\/sa\/\(smi-waypoint\)"\}\[5m\]/);
  });

  test('onto identities: two workloads of one ServiceAccount add up; whether SMI has the edge; unknown workloads stay workloads', () => {
    const graph = policyGraph(state.model);
    const edges = trafficEdges(state.model, graph.edges, observedEdges(istio, '5m', answers));
    const buyer = edges.find((e) => e.from === 'sa:bookstore/bookbuyer' && e.to === 'sa:bookstore/bookstore')!;
    assert.deepEqual(buyer.workloads, ['bookstore/bookstore-v1', 'bookstore/bookstore-v2']);
    assert.equal(buyer.requestsPerSecond, 3);
    assert.ok(Math.abs(buyer.successRate! - (0.99 * 2 + 1) / 3) < 1e-12);
    assert.equal(buyer.p99Ms, 80, 'the worst of the two');
    assert.equal(buyer.inPolicy, true);
    assert.equal(edges.find((e) => e.from === 'sa:bookstore/bookthief')?.inPolicy, false);
    assert.equal(edges.find((e) => e.from === 'unauthenticated')?.to, 'sa:bookstore/bookwarehouse');
    assert.ok(edges.some((e) => e.to === 'workload:bookstore/elsewhere' && !e.inPolicy));
  });
});

/** Reads Server-Sent Events from a stream: each `event: <name>` (version by default) as its data. */
function versions(res: IncomingMessage, name = 'version'): { next(): Promise<{ version: number }> } {
  const queue: { version: number }[] = [];
  const waiting: ((v: { version: number }) => void)[] = [];
  let buffer = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (!block.startsWith(`event: ${name}\n`)) continue;
      const v = JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as { version: number };
      const w = waiting.shift();
      if (w) w(v);
      else queue.push(v);
    }
  });
  return { next: () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((r) => waiting.push(r))) };
}

describe('a followed state over HTTP', () => {
  let running: RunningDashboard;
  const feed = new StateFeed('https://cluster.example:6443', true, state);
  before(async () => { running = await startDashboard(feed, { host: '127.0.0.1', port: 0 }, { heartbeatMs: 50 }); });
  after(async () => running?.close());
  const get = (path: string) => fetch(new URL(path, running.url));

  test('/api/events says the version at once and each new one; the view, the page and the answers follow it', async () => {
    const res = await new Promise<IncomingMessage>((r) => httpGet(new URL('/api/events', running.url), r));
    assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
    const stream = versions(res);
    assert.deepEqual((await stream.next()).version, 1);
    const edge = (v: { edges: { from: string; to: string; kind: string }[] }) => v.edges.some((e) => e.kind === 'access' && e.from === 'sa:bookstore/bookbuyer' && e.to === 'sa:bookstore/bookstore');
    assert.ok(edge(await (await get('/api/view')).json() as never));

    feed.publish(withoutBuyer);
    assert.equal((await stream.next()).version, 2);
    const view = await (await get('/api/view')).json() as { version: number; edges: { from: string; to: string; kind: string }[] };
    assert.equal(view.version, 2);
    assert.ok(!edge(view), 'the removed TrafficTarget\'s edge is gone');
    const html = await (await get('/')).text();
    assert.match(html, /<body data-version="2" data-live="true">/);
    assert.match(html, /Following https:\/\/cluster\.example:6443: version 2/);
    const check = await (await get('/api/check?from=bookstore/bookbuyer&to=bookstore/bookstore&port=14001&path=/books-bought')).json() as { smi: { allowed: boolean } };
    assert.equal(check.smi.allowed, false);
    res.destroy();
  });

  test('/api/route answers, and says what is wrong with a question', async () => {
    const r = await (await get('/api/route?service=bookstore/bookstore&path=/')).json() as RouteWhatIf;
    assert.deepEqual(r.smi.backends.map((b) => b.share), [0.75, 0.25]);
    assert.equal((await get('/api/route?service=x')).status, 400);
    const html = await (await get('/?service=bookstore/bookstore')).text();
    assert.match(html, /<p id="smi-route"><strong>SMI: bookstore\/bookstore-v1 75\.0%, bookstore\/bookstore-v2 25\.0%<\/strong>/);
  });

  test('without a metrics source /api/traffic says how to get one', async () => {
    const res = await get('/api/traffic');
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { error: string }).error, /--prometheus-url/);
  });
});

test('smi dashboard says what is wrong with its flags before it listens', async () => {
  const { runCli } = await import('../support/cli.js');
  const cases: [string[], RegExp][] = [
    [[], /give the policy: -f PATH \(files\) or --kubeconfig FILE/],
    [['-f', BOOKSTORE, '--kubeconfig', '/nonexistent'], /-f and --kubeconfig are exclusive/],
    [['-f', BOOKSTORE, '--prometheus-url', 'http://127.0.0.1:9'], /--prometheus-url needs --metrics-mesh/],
    [['-f', BOOKSTORE, '--prometheus-url', 'http://127.0.0.1:9', '--metrics-mesh', 'gateway-api'], /'gateway-api' is invalid\. Allowed choices are istio, linkerd, consul, appmesh, cilium/],
    [['-f', BOOKSTORE, '--prometheus-url', 'http://127.0.0.1:9', '--mesh', 'istio', '--window', '5 minutes'], /--window 5 minutes: a duration/],
    [['-f', BOOKSTORE, '--metrics-mesh', 'istio'], /--metrics-mesh applies with --prometheus-url/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['dashboard', ...args, '--port', '0']);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

describe('where meshes differ, worked out between requests', () => {
  // The bookstore in 30 namespaces: enough telling requests that asking them takes many slices.
  const many = Array.from({ length: 30 }, (_, i) => text.replace(/namespace: bookstore/g, `namespace: shop-${i}`).replace(/name: bookstore$/m, `name: shop-${i}`)).join('\n---\n');
  const big = dashboardState(validateYaml(many), settings);
  const smaller = dashboardState(validateYaml(text), settings);
  let running: RunningDashboard;
  const feed = new StateFeed('https://cluster.example:6443', true, big);
  before(async () => { running = await startDashboard(feed, { host: '127.0.0.1', port: 0 }, { differencesSliceMs: 1 }); });
  after(async () => running?.close());

  test('the page is served at once with the progress; the differences arrive with an event, equal to asking all at once', async () => {
    const events = versions(await new Promise<IncomingMessage>((r) => httpGet(new URL('/api/events', running.url), r)), 'differences');
    const early = await (await fetch(new URL('/api/view', running.url))).json() as { differencesProgress: { done: number; total: number; complete: boolean } };
    assert.equal(early.differencesProgress.complete, false);
    assert.ok(early.differencesProgress.done < early.differencesProgress.total, JSON.stringify(early.differencesProgress));
    assert.match(await (await fetch(running.url)).text(), /<section id="differences" data-complete="false">.*Asking each mesh the telling requests: \d+ of \d+ destination/s);

    // A new version mid-way: its own job starts (the old one is cancelled), and its event comes.
    feed.publish(smaller);
    while ((await events.next()).version !== 2);
    const done = await (await fetch(new URL('/api/view', running.url))).json() as { differencesProgress: { complete: boolean }; differences: unknown };
    assert.equal(done.differencesProgress.complete, true);
    const { meshDifferences } = await import('../../src/dashboard/differences.js');
    assert.deepEqual(done.differences, meshDifferences(smaller.model, smaller.sides));
  });
});
