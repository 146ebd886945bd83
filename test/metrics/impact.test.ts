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

const BOOKSTORE = resolve(import.meta.dirname, '../../examples/bookstore');
const START = 1_700_000_000;
const POINTS = 9; // 0 … 120 s: over the last 1m, a series growing by `step` per 15 s increases by 4 × step
const AT = String(START + 120);
const spiffe = (ns: string, sa: string) => `spiffe://cluster.local/ns/${ns}/sa/${sa}`;
const istioFlow = (source: Record<string, string>, ns: string, workload: string, step: number) =>
  ({ labels: { reporter: 'destination', ...source, destination_workload: workload, destination_workload_namespace: ns, response_code: '200' }, step });

const BUYER = { source_principal: spiffe('bookstore', 'bookbuyer'), source_workload: 'bookbuyer', source_workload_namespace: 'bookstore' };
const reported = (reporter: string, flow: ReturnType<typeof istioFlow>) => ({ ...flow, labels: { ...flow.labels, reporter } });

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
  flows: { source: string; destination: string; port?: number; requests: number; rps: number; verdict: string; why: string }[];
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

  test('istio: the table names the flows a person must look at', async () => {
    const run = await impact(istio.url, 'istio');
    assert.match(run.stdout, /^6 live flow\(s\) in the last 1m: 2 would be denied, 2 partly$/m);
    assert.match(run.stdout, /bookstore\/bookthief +bookstore\/bookstore-v1 +- +1\.00 +DENY/);
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
