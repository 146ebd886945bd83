/**
 * `smi impact`: the live flows in a real Prometheus (series backfilled in Istio's and Linkerd's own
 * formats) judged against a policy before it is applied — which would be denied, which only partly
 * allowed, which smi does not govern — with exact request rates.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { runCli } from '../support/cli.js';
import { deploymentYaml } from '../support/policy.js';
import { openMetrics, series, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { Prometheus } from '../../src/metrics/prometheus.js';
import { edgeTrafficQueries, observedEdges } from '../../src/metrics/edge-traffic.js';

const BOOKSTORE = resolve(import.meta.dirname, '../../examples/bookstore');
const START = 1_700_000_000;
const POINTS = 9; // 0 … 120 s: over the last 1m, a series growing by `step` per 15 s increases by 4 × step
const AT = String(START + 120);
const spiffe = (ns: string, sa: string) => `spiffe://cluster.local/ns/${ns}/sa/${sa}`;
const istioFlow = (source: Record<string, string>, ns: string, workload: string, step: number) =>
  ({ labels: { reporter: 'destination', ...source, destination_workload: workload, destination_workload_namespace: ns, response_code: '200' }, step });

const BUYER = { source_principal: spiffe('bookstore', 'bookbuyer'), source_workload: 'bookbuyer', source_workload_namespace: 'bookstore' };
const reported = (reporter: string, flow: ReturnType<typeof istioFlow>) => ({ ...flow, labels: { ...flow.labels, reporter } });

// ztunnel's connection counters, with every label it writes (src/proxy/metrics.rs, CommonTrafficLabels).
type Peer = { principal?: string; workload: string; namespace: string };
const ztunnel = (reporter: 'source' | 'destination', src: Peer, dst: Peer & { service?: string }, step: number, flags = '-') => ({
  labels: {
    reporter, source_workload: src.workload, source_canonical_service: src.workload, source_canonical_revision: 'latest', source_workload_namespace: src.namespace,
    source_principal: src.principal ?? 'unknown', source_app: src.workload, source_version: 'latest', source_cluster: 'Kubernetes',
    destination_service: dst.service ? `${dst.service}.${dst.namespace}.svc.cluster.local` : 'unknown', destination_service_namespace: dst.service ? dst.namespace : 'unknown', destination_service_name: dst.service ?? 'unknown',
    destination_workload: dst.workload, destination_canonical_service: dst.workload, destination_canonical_revision: 'latest', destination_workload_namespace: dst.namespace,
    destination_principal: dst.principal ?? 'unknown', destination_app: dst.workload, destination_version: 'latest', destination_cluster: 'Kubernetes',
    request_protocol: 'tcp', response_flags: flags, connection_security_policy: 'mutual_tls',
  },
  step,
});
const THIEF_POD: Peer = { principal: spiffe('bookstore', 'bookthief'), workload: 'bookthief', namespace: 'bookstore' };
const BUYER_POD: Peer = { principal: spiffe('bookstore', 'bookbuyer'), workload: 'bookbuyer', namespace: 'bookstore' };
const V1: Peer = { principal: spiffe('bookstore', 'bookstore'), workload: 'bookstore-v1', namespace: 'bookstore' };
const V2: Peer = { principal: spiffe('bookstore', 'bookstore'), workload: 'bookstore-v2', namespace: 'bookstore' };
// A waypoint pod as ztunnel names it: Istio's template runs it as the Gateway's ServiceAccount, its Deployment named the same.
const waypoint = (name: string): Peer => ({ principal: spiffe('bookstore', name), workload: name, namespace: 'bookstore' });
const ZTUNNEL_OPENED = [
  // bookthief straight to bookstore-v2 (no waypoint): both ztunnels count it; the destination's is read.
  ztunnel('destination', THIEF_POD, { ...V2, service: 'bookstore-v2' }, 5),
  ztunnel('source', THIEF_POD, { ...V2, service: 'bookstore-v2' }, 5),
  // bookbuyer through smi's waypoint: the hop to the waypoint (client side) and the waypoint's hop to the pod,
  // which names the waypoint as the caller; the requests themselves are in the waypoint's series above.
  ztunnel('source', BUYER_POD, { ...waypoint('smi-waypoint'), service: 'bookstore-v2' }, 3),
  ztunnel('destination', waypoint('smi-waypoint'), { ...V2, service: 'bookstore-v2' }, 3),
  // A waypoint of the user's own, named "mine".
  ztunnel('destination', waypoint('mine'), { ...V1, service: 'bookstore-v1' }, 2),
];

const ISTIO = openMetrics([series('istio_requests_total', [
  istioFlow({ source_principal: spiffe('bookstore', 'bookbuyer'), source_workload: 'bookbuyer', source_workload_namespace: 'bookstore' }, 'bookstore', 'bookstore-v1', 30),
  istioFlow({ source_principal: spiffe('bookstore', 'bookthief'), source_workload: 'bookthief', source_workload_namespace: 'bookstore' }, 'bookstore', 'bookstore-v1', 15),
  istioFlow({ source_workload: 'curl', source_workload_namespace: 'default' }, 'bookstore', 'bookstore-v2', 3),
  istioFlow({ source_principal: spiffe('bookstore', 'bookbuyer'), source_workload: 'bookbuyer', source_workload_namespace: 'bookstore' }, 'legacy', 'old', 6),
  istioFlow({ source_principal: spiffe('bookstore', 'bookbuyer'), source_workload: 'bookbuyer', source_workload_namespace: 'bookstore' }, 'bookstore', 'ghost', 6),
  // Ambient: the waypoint reports what it carried (reporter="waypoint"), with the caller's own identity;
  // the client side of the same requests (reporter="source") must not count twice.
  reported('waypoint', istioFlow(BUYER, 'bookstore', 'bookstore-v2', 12)),
  reported('source', istioFlow(BUYER, 'bookstore', 'bookstore-v2', 12)),
], START, POINTS),
series('istio_tcp_connections_opened_total', ZTUNNEL_OPENED, START, POINTS),
// Closed: of the thief's 20 connections, 4 denied by policy (response_flags DENY).
series('istio_tcp_connections_closed_total', [
  ztunnel('destination', THIEF_POD, { ...V2, service: 'bookstore-v2' }, 4),
  ztunnel('destination', THIEF_POD, { ...V2, service: 'bookstore-v2' }, 1, 'DENY'),
  ztunnel('destination', waypoint('smi-waypoint'), { ...V2, service: 'bookstore-v2' }, 3, 'CONNECT'),
], START, POINTS),
// Istio's dry-run results: the sidecar's RBAC statistics per inbound listener, tagged by Istio's bootstrap.
series('envoy_http_inbound_0_0_0_0_14001_rbac', [
  { labels: { authz_dry_run_action: 'allow', authz_dry_run_result: 'denied', namespace: 'bookstore', pod: 'bookstore-v1-7d9c-x2' }, step: 9 },
  { labels: { authz_dry_run_action: 'allow', authz_dry_run_result: 'allowed', namespace: 'bookstore', pod: 'bookstore-v1-7d9c-x2' }, step: 30 },
  { labels: { authz_dry_run_action: 'deny', authz_dry_run_result: 'denied', namespace: 'bookstore', pod: 'bookstore-v1-7d9c-x2' }, step: 30 },
], START, POINTS),
// Another listener, scraped with the older relabelling (kubernetes_namespace, kubernetes_pod_name).
series('envoy_http_inbound_0_0_0_0_9999_rbac', [
  { labels: { authz_dry_run_action: 'allow', authz_dry_run_result: 'denied', kubernetes_namespace: 'bookstore', kubernetes_pod_name: 'bookstore-v1-7d9c-x2' }, step: 3 },
], START, POINTS)]);

const linkerdId = (ns: string, sa: string) => `${sa}.${ns}.serviceaccount.identity.linkerd.cluster.local`;
const LINKERD = openMetrics([series('response_total', [
  { labels: { direction: 'inbound', namespace: 'bookstore', deployment: 'bookstore-v1', client_id: linkerdId('bookstore', 'bookbuyer'), target_addr: '10.0.0.7:14001', classification: 'success' }, step: 30 },
  { labels: { direction: 'inbound', namespace: 'bookstore', deployment: 'bookstore-v1', client_id: linkerdId('bookstore', 'bookbuyer'), target_addr: '10.0.0.7:9999', classification: 'success' }, step: 3 },
], START, POINTS),
// Linkerd's audit access policy: what it let through and would have denied, with the caller; other authorizations are not findings.
series('inbound_http_authz_allow_total', [
  { labels: { direction: 'inbound', namespace: 'bookstore', deployment: 'bookstore-v1', client_id: linkerdId('bookstore', 'bookthief'), target_addr: '10.0.0.7:14001', authz_kind: 'default', authz_name: 'audit', srv_kind: 'server', srv_name: 'smi-bookstore-p14001' }, step: 6 },
  { labels: { direction: 'inbound', namespace: 'bookstore', deployment: 'bookstore-v1', client_id: linkerdId('bookstore', 'bookbuyer'), target_addr: '10.0.0.7:14001', authz_kind: 'authorizationpolicy', authz_name: 'smi-bookstore', srv_kind: 'server', srv_name: 'smi-bookstore-p14001' }, step: 30 },
], START, POINTS)]);

type Report = {
  window: string;
  flows: { source: string; destination: string; port?: number; requests?: number; rps?: number; connections?: number; connectionsPerSecond?: number; verdict: string; why: string }[];
  auditResults?: { blind: string; findings: { destination: string; destinationKind: string; source?: string; port?: number; requests: number; rps: number }[] };
};

describe('smi impact from a real Prometheus', () => {
  let istio: RunningPrometheus;
  let linkerd: RunningPrometheus;
  const dir = mkdtempSync(join(tmpdir(), 'smi-impact-'));
  before(async () => {
    [istio, linkerd] = await Promise.all([startPrometheus(ISTIO), startPrometheus(LINKERD)]);
    writeFileSync(join(dir, 'legacy.yaml'), deploymentYaml('legacy', 'old', 'old', [8080]));
  });
  after(async () => Promise.all([istio?.stop(), linkerd?.stop()]));
  const impact = (url: string, mesh: string, ...extra: string[]) => runCli(['impact', '-f', BOOKSTORE, '-f', dir, '--prometheus-url', url, '--mesh', mesh, '--window', '1m', '--at', AT, ...extra]);

  test('istio: each flow judged, with its rate; exit 1 because some would be denied', async () => {
    const run = await impact(istio.url, 'istio', '-o', 'json');
    assert.equal(run.code, 1, run.stderr);
    const flows = (JSON.parse(run.stdout) as Report).flows;
    const by = (source: string, destination: string) => flows.find((f) => f.source === source && f.destination === destination)!;
    // The buyer's flow: the bookstore allows it only on its HTTP routes.
    assert.equal(by('bookstore/bookbuyer', 'bookstore/bookstore-v1').verdict, 'partly');
    assert.match(by('bookstore/bookbuyer', 'bookstore/bookstore-v1').why, /GET .*\^\/books-bought/);
    assert.equal(by('bookstore/bookbuyer', 'bookstore/bookstore-v1').requests, 120);
    assert.equal(by('bookstore/bookbuyer', 'bookstore/bookstore-v1').rps, 2);
    // The thief, and a caller without mesh identity: cut off.
    assert.equal(by('bookstore/bookthief', 'bookstore/bookstore-v1').verdict, 'denied');
    assert.equal(by('bookstore/bookthief', 'bookstore/bookstore-v1').rps, 1);
    assert.equal(by('unauthenticated (default/curl)', 'bookstore/bookstore-v2').verdict, 'denied');
    // Outside smi's scope, and not in the input.
    assert.equal(by('bookstore/bookbuyer', 'legacy/old').verdict, 'not-governed');
    assert.equal(by('bookstore/bookbuyer', 'bookstore/ghost').verdict, 'unknown');
    assert.equal(flows[0]!.verdict, 'denied', 'denied flows come first');
    // Through an ambient waypoint: read from reporter="waypoint", once.
    assert.deepEqual([by('bookstore/bookbuyer', 'bookstore/bookstore-v2').verdict, by('bookstore/bookbuyer', 'bookstore/bookstore-v2').requests], ['partly', 48]);
  });

  test('istio ambient: ztunnel\'s connections are flows of their own; those a waypoint forwards are not the waypoint\'s', async () => {
    const run = await impact(istio.url, 'istio', '-o', 'json');
    const flows = (JSON.parse(run.stdout) as Report).flows;
    // Straight through ztunnel, counted once (the destination's report), in connections.
    const direct = flows.filter((f) => f.source === 'bookstore/bookthief' && f.destination === 'bookstore/bookstore-v2');
    assert.deepEqual(direct.map((f) => [f.connections, f.connectionsPerSecond, f.requests, f.verdict]), [[20, 20 / 60, undefined, 'denied']]);
    // smi's waypoint relays bookbuyer's requests: no flow from its identity, and bookbuyer's are the requests the waypoint reported.
    assert.equal(flows.filter((f) => f.source.includes('smi-waypoint')).length, 0, JSON.stringify(flows));
    assert.deepEqual(flows.filter((f) => f.source === 'bookstore/bookbuyer' && f.destination === 'bookstore/bookstore-v2').map((f) => [f.requests, f.connections]), [[48, undefined]]);
    // A waypoint smi was not told of reads as a caller of its own, until --istio-waypoint names it.
    assert.equal(flows.find((f) => f.source === 'bookstore/mine')?.verdict, 'denied');
    const told = await impact(istio.url, 'istio', '--istio-data-plane', 'ambient', '--istio-waypoint', 'mine', '-o', 'json');
    assert.equal(told.code, 1, told.stderr);
    assert.equal((JSON.parse(told.stdout) as Report).flows.filter((f) => f.source === 'bookstore/mine').length, 0);
    assert.equal((JSON.parse(told.stdout) as Report).flows.length, flows.length - 1);
    // The mesh's own flags are checked as in translate.
    const wrong = await impact(istio.url, 'istio', '--istio-waypoint', 'mine');
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--istio-waypoint applies to --istio-data-plane ambient only/);
  });

  test('istio ambient: the dashboard\'s live edges count ztunnel\'s connections, and how many closed with a failure', async () => {
    const prometheus = new Prometheus(istio.url);
    const q = edgeTrafficQueries('istio', '1m')!;
    const ask = (promql: string) => prometheus.query(promql, Number(AT));
    const [total, failed, p99, opened, refused] = await Promise.all([ask(q.total), ask(q.failed), ask(q.p99), ask(q.connections!.opened), ask(q.connections!.failed)]);
    const edges = observedEdges(q, '1m', { total, failed, p99, connections: { opened, failed: refused } });
    const edge = (source: string, destination: string) => edges.find((e) => typeof e.source === 'object' && 'name' in e.source && e.source.name === source && 'name' in e.destination && e.destination.name === destination);
    const thief = edge('bookthief', 'bookstore-v2')!;
    assert.equal(thief.requestsPerSecond, 0);
    assert.equal(thief.successRate, undefined, 'no request was seen');
    assert.ok(Math.abs(thief.connectionsPerSecond! - 1 / 3) < 1e-9);
    assert.ok(Math.abs(thief.connectionSuccessRate! - 0.8) < 1e-9);
    assert.equal(edge('smi-waypoint', 'bookstore-v2'), undefined);
    assert.equal(edge('bookbuyer', 'bookstore-v2')?.connectionsPerSecond, undefined, 'the client\'s hop to the waypoint is not an edge to the pod');
    assert.equal(edge('bookbuyer', 'bookstore-v2')?.requestsPerSecond, 0.8);
    const mine = edgeTrafficQueries('istio', '1m', { istioWaypoint: 'mine' })!;
    assert.equal((await ask(mine.connections!.opened)).some((s) => s.metric.source_principal?.endsWith('/sa/mine')), false);
    assert.equal(opened.some((s) => s.metric.source_principal?.endsWith('/sa/mine')), true);
  });

  test('istio: the table names the flows a person must look at', async () => {
    const run = await impact(istio.url, 'istio');
    assert.match(run.stdout, /^8 live flow\(s\) in the last 1m: 4 would be denied, 2 partly$/m);
    assert.match(run.stdout, /bookstore\/bookthief +bookstore\/bookstore-v1 +- +1\.00 req\/s +DENY/);
    assert.match(run.stdout, /bookstore\/bookthief +bookstore\/bookstore-v2 +- +0\.33 conn\/s +DENY/);
  });

  test('linkerd: the port from target_addr counts — HTTP rules on 14001 only, so 9999 is denied', async () => {
    const run = await impact(linkerd.url, 'linkerd', '-o', 'json');
    const flows = (JSON.parse(run.stdout) as Report).flows;
    assert.deepEqual(flows.map((f) => [f.port, f.verdict]).sort(), [[14001, 'partly'], [9999, 'denied']]);
    assert.equal(run.code, 1);
  });

  test('a policy that grants the thief nothing new changes nothing; granting it clears the denial', async () => {
    const grant = mkdtempSync(join(tmpdir(), 'smi-impact-grant-'));
    writeFileSync(join(grant, 'thief.yaml'), `apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: anything, namespace: bookstore}
spec: {}
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: thief-allowed, namespace: bookstore}
spec:
  destination: {kind: ServiceAccount, name: bookstore, namespace: bookstore}
  rules: [{kind: TCPRoute, name: anything}]
  sources: [{kind: ServiceAccount, name: bookthief, namespace: bookstore}]
`);
    const run = await runCli(['impact', '-f', BOOKSTORE, '-f', dir, '-f', grant, '--prometheus-url', istio.url, '--mesh', 'istio', '--window', '1m', '--at', AT, '-o', 'json']);
    const thief = (JSON.parse(run.stdout) as Report).flows.find((f) => f.source === 'bookstore/bookthief')!;
    assert.equal(thief.verdict, 'allowed');
  });

  test('--audit-results: Linkerd\'s audit access policy, with the caller; only authz_name="audit" counts', async () => {
    const run = await impact(linkerd.url, 'linkerd', '--audit-results', '-o', 'json');
    const report = JSON.parse(run.stdout) as Report;
    assert.deepEqual(report.auditResults?.findings, [{ destination: 'bookstore/bookstore-v1', destinationKind: 'workload', source: 'bookstore/bookthief', port: 14001, requests: 24, rps: 0.4 }]);
    assert.equal(run.code, 1);
    assert.equal((JSON.parse((await impact(linkerd.url, 'linkerd', '-o', 'json')).stdout) as Report).auditResults, undefined, 'only when asked');
  });

  test('--audit-results: Istio\'s dry-run denials per pod and port, from every listener and both relabellings', async () => {
    const run = await impact(istio.url, 'istio', '--audit-results', '-o', 'json');
    const report = JSON.parse(run.stdout) as Report;
    assert.deepEqual(report.auditResults?.findings, [
      { destination: 'bookstore/bookstore-v1-7d9c-x2', destinationKind: 'pod', port: 14001, requests: 36, rps: 0.6 },
      { destination: 'bookstore/bookstore-v1-7d9c-x2', destinationKind: 'pod', port: 9999, requests: 12, rps: 0.2 },
    ]);
    assert.match(report.auditResults!.blind, /do not name the caller/);
    const table = await impact(istio.url, 'istio', '--audit-results');
    assert.match(table.stdout, /audit mode reported 48 request\(s\) in the last 1m/);
    assert.match(table.stdout, /pod bookstore\/bookstore-v1-7d9c-x2\s+-\s+14001\s+0\.60/);
  });

  test('meshes whose metrics do not name the caller, and a Prometheus that is down, are clear errors (exit 2)', async () => {
    const consul = await impact(istio.url, 'consul');
    assert.equal(consul.code, 2);
    assert.match(consul.stderr, /'consul' is invalid\. Allowed choices are istio, linkerd/);
    const down = await impact('http://127.0.0.1:9', 'istio');
    assert.equal(down.code, 2);
    assert.match(down.stderr, /did not answer/);
  });
});
