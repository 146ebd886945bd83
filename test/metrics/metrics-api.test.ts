/**
 * The TrafficMetrics API against a real Prometheus holding each mesh's metrics with known values:
 * exact counts and percentiles, lists, edges, windows, a Prometheus that is down (503), and label
 * values that try to inject PromQL.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsApi } from '../../src/metrics/api.js';
import { Prometheus } from '../../src/metrics/prometheus.js';
import { edgeTrafficQueries, observedEdges, type ObservedEdge } from '../../src/metrics/edge-traffic.js';
import { openMetrics, series, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { metricsMeshes } from '../../src/targets/registry.js';

const START = 1_700_000_000;
const POINTS = 9; // 0 … 120 s
const AT = START + 120;
// Per 15 s: 10 successes, 1 failure; 11 requests all between 10 and 20 ms. Over 1m: 40 and 4; p50 15, p90 19, p99 19.9.
const buckets = (name: string, labels: Record<string, string>) =>
  series(name, [{ labels: { ...labels, le: '10' }, step: 0 }, { labels: { ...labels, le: '20' }, step: 11 }, { labels: { ...labels, le: '+Inf' }, step: 11 }], START, POINTS);

const APPMESH_CLIENT_TO_WEB = { envoy_cluster_name: 'cds_egress_prod_mesh_web--service_shop_http_8080', namespace: 'shop', deployment: 'client', pod: 'client-1' };
const CONSUL_WEB = { namespace: 'shop', deployment: 'web', pod: 'web-1', consul_source_service: 'web', consul_source_namespace: 'default' };
const CONSUL_CLIENT_TO_WEB = { envoy_cluster_name: 'web.default.dc1.internal.11111111-2222-3333-4444-555555555555.consul', namespace: 'shop', deployment: 'client', pod: 'client-1', consul_source_service: 'client', consul_source_namespace: 'default', consul_destination_service: 'web', consul_destination_namespace: 'default' };
/** What frontend sends to the backends of the TrafficSplit shop/web, seen by its own proxy: web-v1 9 ok, web-v2 1 ok and 1 failed per 15 s. */
const splitCallers = (labels: (service: string) => Record<string, string>) => [
  { labels: { ...labels('web-v1'), envoy_response_code_class: '2' }, step: 9 },
  { labels: { ...labels('web-v2'), envoy_response_code_class: '2' }, step: 1 },
  { labels: { ...labels('web-v2'), envoy_response_code_class: '5' }, step: 1 },
];

const HUBBLE_IN = { source_namespace: 'shop', source_workload: 'client', destination_namespace: 'shop', destination_workload: 'web', destination_pod: 'web-1' };

/** Every mesh whose metrics smi reads (a test below checks that this is all of them). */
type MetricsMesh = keyof typeof FIXTURES;
const FIXTURES = {
  istio: openMetrics([
    series('istio_requests_total', [
      { labels: { reporter: 'destination', destination_workload: 'web', destination_workload_namespace: 'shop', source_workload: 'client', source_workload_namespace: 'shop', pod: 'web-1', response_code: '200' }, step: 10 },
      { labels: { reporter: 'destination', destination_workload: 'web', destination_workload_namespace: 'shop', source_workload: 'client', source_workload_namespace: 'shop', pod: 'web-1', response_code: '503' }, step: 1 },
      { labels: { reporter: 'source', source_workload: 'web', source_workload_namespace: 'shop', destination_workload: 'db', destination_workload_namespace: 'data', response_code: '200' }, step: 5 },
      // What callers send to the backends of the TrafficSplit shop/web (client side, by destination Service).
      { labels: { reporter: 'source', source_workload: 'frontend', source_workload_namespace: 'shop', destination_service_name: 'web-v1', destination_service_namespace: 'shop', response_code: '200' }, step: 9 },
      { labels: { reporter: 'source', source_workload: 'frontend', source_workload_namespace: 'shop', destination_service_name: 'web-v2', destination_service_namespace: 'shop', response_code: '200' }, step: 1 },
      { labels: { reporter: 'source', source_workload: 'frontend', source_workload_namespace: 'shop', destination_service_name: 'web-v2', destination_service_namespace: 'shop', response_code: '500' }, step: 1 },
    ], START, POINTS),
    buckets('istio_request_duration_milliseconds_bucket', { reporter: 'destination', destination_workload: 'web', destination_workload_namespace: 'shop', source_workload: 'client', source_workload_namespace: 'shop', pod: 'web-1' }),
  ]),
  linkerd: openMetrics([
    series('response_total', [
      { labels: { direction: 'inbound', namespace: 'shop', deployment: 'web', pod: 'web-1', classification: 'success' }, step: 10 },
      { labels: { direction: 'inbound', namespace: 'shop', deployment: 'web', pod: 'web-1', classification: 'failure' }, step: 1 },
      { labels: { direction: 'outbound', namespace: 'shop', deployment: 'client', dst_namespace: 'shop', dst_deployment: 'web', classification: 'success' }, step: 10 },
      { labels: { direction: 'outbound', namespace: 'shop', deployment: 'client', dst_namespace: 'shop', dst_deployment: 'web', classification: 'failure' }, step: 1 },
    ], START, POINTS),
    buckets('response_latency_ms_bucket', { direction: 'inbound', namespace: 'shop', deployment: 'web', pod: 'web-1' }),
  ]),
  consul: openMetrics([
    series('envoy_cluster_upstream_rq_xx', [
      { labels: { envoy_cluster_name: 'local_app', ...CONSUL_WEB, envoy_response_code_class: '2' }, step: 10 },
      { labels: { envoy_cluster_name: 'local_app', ...CONSUL_WEB, envoy_response_code_class: '5' }, step: 1 },
      // Client side: the caller's upstream cluster for web, and web's own for db (Consul's consul_destination_* tags).
      { labels: { ...CONSUL_CLIENT_TO_WEB, envoy_response_code_class: '2' }, step: 10 },
      { labels: { ...CONSUL_CLIENT_TO_WEB, envoy_response_code_class: '5' }, step: 1 },
      { labels: { envoy_cluster_name: 'db.default.dc1.internal.11111111-2222-3333-4444-555555555555.consul', ...CONSUL_WEB, consul_destination_service: 'db', consul_destination_namespace: 'default', envoy_response_code_class: '2' }, step: 5 },
      ...splitCallers((service) => ({ envoy_cluster_name: `${service}.default.dc1.internal.11111111-2222-3333-4444-555555555555.consul`, namespace: 'shop', deployment: 'frontend', pod: 'frontend-1', consul_source_service: 'frontend', consul_source_namespace: 'default', consul_destination_service: service, consul_destination_namespace: 'default' })),
    ], START, POINTS),
    buckets('envoy_cluster_upstream_rq_time_bucket', { envoy_cluster_name: 'local_app', ...CONSUL_WEB }),
    buckets('envoy_cluster_upstream_rq_time_bucket', CONSUL_CLIENT_TO_WEB),
  ]),
  // Hubble's httpV2 metrics with labelsContext=source_namespace,source_workload,destination_namespace,destination_workload,destination_pod; durations in seconds.
  cilium: openMetrics([
    series('hubble_http_requests_total', [
      { labels: { reporter: 'server', method: 'GET', protocol: 'HTTP/1.1', status: '200', ...HUBBLE_IN }, step: 10 },
      { labels: { reporter: 'server', method: 'GET', protocol: 'HTTP/1.1', status: '503', ...HUBBLE_IN }, step: 1 },
      // The same requests seen by the caller's proxy: not counted twice.
      { labels: { reporter: 'client', method: 'GET', protocol: 'HTTP/1.1', status: '200', ...HUBBLE_IN }, step: 10 },
      { labels: { reporter: 'client', method: 'GET', protocol: 'HTTP/1.1', status: '200', source_namespace: 'shop', source_workload: 'web', destination_namespace: 'data', destination_workload: 'db', destination_pod: 'db-0' }, step: 5 },
    ], START, POINTS),
    series('hubble_http_request_duration_seconds_bucket', [
      { labels: { reporter: 'server', method: 'GET', ...HUBBLE_IN, le: '0.01' }, step: 0 },
      { labels: { reporter: 'server', method: 'GET', ...HUBBLE_IN, le: '0.02' }, step: 11 },
      { labels: { reporter: 'server', method: 'GET', ...HUBBLE_IN, le: '+Inf' }, step: 11 },
    ], START, POINTS),
  ]),
  appmesh: openMetrics([
    series('envoy_cluster_upstream_rq_xx', [
      { labels: { envoy_cluster_name: 'cds_ingress_mesh_web_http_8080', namespace: 'shop', deployment: 'web', pod: 'web-1', envoy_response_code_class: '2' }, step: 10 },
      { labels: { envoy_cluster_name: 'cds_ingress_mesh_web_http_8080', namespace: 'shop', deployment: 'web', pod: 'web-1', envoy_response_code_class: '5' }, step: 1 },
      // Client side: client's egress cluster for smi's node of Service shop/web (cds_egress_<mesh>_<node>_<namespace>_<protocol>_<port>).
      { labels: { ...APPMESH_CLIENT_TO_WEB, envoy_response_code_class: '2' }, step: 10 },
      { labels: { ...APPMESH_CLIENT_TO_WEB, envoy_response_code_class: '5' }, step: 1 },
      // web's own egress cluster for Service data/db.
      { labels: { envoy_cluster_name: 'cds_egress_prod_mesh_db--service_data_tcp_5432', namespace: 'shop', deployment: 'web', pod: 'web-1', envoy_response_code_class: '2' }, step: 5 },
      ...splitCallers((service) => ({ envoy_cluster_name: `cds_egress_prod_mesh_${service}--service_shop_http_8080`, namespace: 'shop', deployment: 'frontend', pod: 'frontend-1' })),
    ], START, POINTS),
    buckets('envoy_cluster_upstream_rq_time_bucket', { envoy_cluster_name: 'cds_ingress_mesh_web_http_8080', namespace: 'shop', deployment: 'web', pod: 'web-1' }),
    buckets('envoy_cluster_upstream_rq_time_bucket', APPMESH_CLIENT_TO_WEB),
  ]),
} satisfies Record<string, string>;

test('the fixtures cover every mesh whose metrics smi reads', () => {
  assert.deepEqual(Object.keys(FIXTURES).sort(), metricsMeshes().sort());
});

type Metrics = { resource: { kind: string; namespace?: string; name: string }; edge?: { direction: string; side: string; resource: { namespace: string; name: string } }; window: string; timestamp: string; metrics: { name: string; unit?: string; value: string }[] };
const values = (m: Metrics) => Object.fromEntries(m.metrics.map((x) => [x.name, x.value]));
const EXPECTED = { success_count: '40', failure_count: '4', p50_response_latency: '15', p90_response_latency: '19', p99_response_latency: '19.9' };

for (const mesh of Object.keys(FIXTURES) as MetricsMesh[]) {
  describe(`TrafficMetrics from a real Prometheus: ${mesh}`, () => {
    let prometheus: RunningPrometheus;
    let api: MetricsApi;
    before(async () => {
      prometheus = await startPrometheus(FIXTURES[mesh]);
      api = new MetricsApi({ mesh, prometheus: new Prometheus(prometheus.url), now: () => AT });
    });
    after(async () => prometheus?.stop());
    const get = (path: string) => api.get(path, new URL(`http://x${path}`).searchParams);

    test('a deployment: exact counts and percentiles over the window, in v1alpha1 and v1alpha2', async () => {
      for (const version of ['v1alpha1', 'v1alpha2']) {
        const r = await get(`/apis/metrics.smi-spec.io/${version}/namespaces/shop/deployments/web?window=1m`.split('?')[0]!);
        assert.equal(r.code, 200, JSON.stringify(r.body));
      }
      const r = await api.get('/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/deployments/web', new URLSearchParams({ window: '1m' }));
      const m = r.body as Metrics & { apiVersion: string };
      assert.equal(m.apiVersion, 'metrics.smi-spec.io/v1alpha2');
      assert.deepEqual(m.resource, { kind: 'Deployment', namespace: 'shop', name: 'web' });
      assert.equal(m.window, '1m');
      assert.equal(m.timestamp, new Date(AT * 1000).toISOString());
      assert.deepEqual(values(m), EXPECTED);
      assert.ok(m.metrics.filter((x) => x.name.endsWith('latency')).every((x) => x.unit === 'ms'));
    });

    test('lists: deployments of a namespace, pods, and the namespace itself', async () => {
      const list = (await api.get('/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/deployments', new URLSearchParams({ window: '1m' }))).body as { kind: string; items: Metrics[] };
      assert.equal(list.kind, 'TrafficMetricsList');
      assert.deepEqual(list.items.map((i) => i.resource.name), ['web']);
      assert.deepEqual(values(list.items[0]!), EXPECTED);
      const pod = (await api.get('/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/pods/web-1', new URLSearchParams({ window: '1m' }))).body as Metrics;
      assert.deepEqual(values(pod), EXPECTED);
      const ns = await api.get('/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop', new URLSearchParams({ window: '1m' }));
      assert.equal(ns.code, 200);
      assert.equal(values(ns.body as Metrics).success_count, '40');
    });

    test('discovery, windows, 404s, and no PromQL injection through names', async () => {
      const resources = (await get('/apis/metrics.smi-spec.io/v1alpha1')).body as { resources: { name: string }[] };
      assert.ok(resources.resources.some((r) => r.name === 'deployments/edges'));
      assert.equal((await api.get('/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/deployments/web', new URLSearchParams({ window: '1m) or vector(1' }))).code, 400);
      const window30 = (await api.get('/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/deployments/web', new URLSearchParams({ window: '30s' }))).body as Metrics;
      assert.equal(values(window30).success_count, '20');
      assert.equal((await get('/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/deployments/nobody')).code, 404);
      const injected = await get(`/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/deployments/${encodeURIComponent('web"} or vector(1) #')}`);
      assert.equal(injected.code, 404, 'the name is a label value, not PromQL');
    });

    if (mesh === 'consul' || mesh === 'appmesh') {
      test('edges from the client side: the callers\' outbound statistics name what they call', async () => {
        const edges = (await api.get('/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/deployments/web/edges', new URLSearchParams({ window: '1m' }))).body as { items: Metrics[] };
        const to = edges.items.filter((e) => e.edge?.direction === 'to');
        assert.deepEqual(to.map((e) => [e.edge?.side, e.edge?.resource]), [['client', { kind: 'Service', namespace: mesh === 'consul' ? 'default' : 'data', name: 'db' }]]);
        assert.equal(values(to[0]!).success_count, '20');
        const from = edges.items.filter((e) => e.edge?.direction === 'from');
        if (mesh === 'consul') {
          // The callers' requests to the Consul service web's own sidecar reports (consul_source_service).
          assert.deepEqual(from.map((e) => [e.edge?.side, e.edge?.resource]), [['client', { kind: 'Deployment', namespace: 'shop', name: 'client' }]]);
          assert.deepEqual(values(from[0]!), EXPECTED);
        } else {
          assert.deepEqual(from, [], 'App Mesh callers name the Service, not the workload: without the cluster no "from" edges');
        }
      });
    }

    if (mesh === 'istio' || mesh === 'linkerd' || mesh === 'cilium') {
      test('edges: who calls the deployment, and whom it calls', async () => {
        const edges = (await api.get('/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/deployments/web/edges', new URLSearchParams({ window: '1m' }))).body as { items: Metrics[] };
        const from = edges.items.find((e) => e.edge?.direction === 'from');
        assert.deepEqual(from?.edge?.resource, { kind: 'Deployment', namespace: 'shop', name: 'client' });
        assert.equal(values(from!).success_count, '40');
        if (mesh === 'istio' || mesh === 'cilium') {
          const to = edges.items.find((e) => e.edge?.direction === 'to');
          assert.deepEqual(to?.edge?.resource, { kind: 'Deployment', namespace: 'data', name: 'db' });
          assert.equal(values(to!).success_count, '20');
        }
      });
    }
  });
}

describe('App Mesh edges into a workload, through the Services in front of it', () => {
  test('the callers of the Services whose selector picks the workload\'s pods, read from the cluster', async () => {
    const { KubeApiServer } = await import('../support/kube-api/server.js');
    const { TestClient } = await import('../support/kube-api/client.js');
    const { KubeConfig } = await import('@kubernetes/client-node');
    const { clusterFronting } = await import('../../src/metrics/resolver.js');
    const prometheus = await startPrometheus(FIXTURES.appmesh);
    const cluster = await new KubeApiServer().start();
    try {
      const client = new TestClient(cluster);
      await client.ensureNamespace('shop');
      await client.create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', version: 'v1' } }, spec: { containers: [{ name: 'web', image: 'web' }] } } } });
      await client.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' }, ports: [{ port: 8080 }] } });
      await client.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'other', namespace: 'shop' }, spec: { selector: { app: 'other' }, ports: [{ port: 8080 }] } });
      const kc = new KubeConfig();
      kc.loadFromString(cluster.kubeconfig());
      assert.deepEqual(await clusterFronting(kc)('deployments', 'shop', 'web'), ['web']);
      assert.deepEqual(await clusterFronting(kc)('deployments', 'shop', 'nobody'), []);
      const api = new MetricsApi({ mesh: 'appmesh', prometheus: new Prometheus(prometheus.url), now: () => AT, resolveFronting: clusterFronting(kc) });
      const edges = (await api.get('/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/deployments/web/edges', new URLSearchParams({ window: '1m' }))).body as { items: Metrics[] };
      const from = edges.items.filter((e) => e.edge?.direction === 'from');
      assert.deepEqual(from.map((e) => [e.edge?.side, e.edge?.resource]), [['client', { kind: 'Deployment', namespace: 'shop', name: 'client' }]]);
      assert.deepEqual(values(from[0]!), EXPECTED);
      assert.ok(edges.items.some((e) => e.edge?.direction === 'to'), 'and whom it calls, as before');
    } finally {
      await cluster.stop();
      await prometheus.stop();
    }
  });
});

describe('live edges for the dashboard from a real Prometheus', () => {
  // Each mesh's fixture above, read with the dashboard's queries (metrics/edge-traffic.ts) at the fixture's time.
  const cases: [MetricsMesh, string, string, number, number][] = [
    // mesh, source as named, destination as named, requests per second over 1m, success share
    ['cilium', 'workload:shop/client', 'shop/web', 44 / 60, 40 / 44],
    ['consul', 'workload:shop/client', 'service:default/web', 44 / 60, 40 / 44],
    ['appmesh', 'workload:shop/web', 'service:data/db', 20 / 60, 1],
  ];
  for (const [mesh, source, destination, rps, success] of cases) {
    test(`${mesh}: the edge ${source} → ${destination}, with its rate, success share and p99`, async () => {
      const prometheus = await startPrometheus(FIXTURES[mesh]);
      try {
        const p = new Prometheus(prometheus.url);
        const q = edgeTrafficQueries(mesh, '1m')!;
        const [total, failed, p99] = await Promise.all([p.query(q.total, AT), p.query(q.failed, AT), p.query(q.p99, AT)]);
        const end = (e: ObservedEdge['source'] | ObservedEdge['destination']) => (e === 'unauthenticated' ? '-' : 'workload' in e ? `workload:${e.workload.namespace}/${e.workload.name}` : 'service' in e ? `service:${e.service.namespace}/${e.service.name}` : `${e.namespace}/${e.name}`);
        const edges = observedEdges(q, '1m', { total, failed, p99 });
        const edge = edges.find((e) => end(e.source) === source && end(e.destination) === destination);
        assert.ok(edge, JSON.stringify(edges));
        assert.ok(Math.abs(edge.requestsPerSecond - rps) < 1e-9, String(edge.requestsPerSecond));
        assert.ok(Math.abs(edge.successRate! - success) < 1e-9, String(edge.successRate));
        if (mesh !== 'appmesh') assert.ok(Math.abs(edge.p99Ms! - 19.9) < 1e-6, String(edge.p99Ms));
      } finally {
        await prometheus.stop();
      }
    });
  }
});

describe('TrafficMetrics from Hubble without the context labels', () => {
  test('a clear 503 naming the Hubble option to set, not empty or wrong figures', async () => {
    const prometheus = await startPrometheus(openMetrics([series('hubble_http_requests_total', [
      { labels: { reporter: 'server', method: 'GET', protocol: 'HTTP/1.1', status: '200', source: 'shop/client', destination: 'shop/web' }, step: 10 },
    ], START, POINTS)]));
    try {
      const api = new MetricsApi({ mesh: 'cilium', prometheus: new Prometheus(prometheus.url), now: () => AT });
      for (const path of ['/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/deployments', '/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/deployments/web/edges']) {
        const r = await api.get(path, new URLSearchParams({ window: '1m' }));
        assert.equal(r.code, 503, path);
        assert.match((r.body as { message: string }).message, /destination_namespace, destination_workload: .*httpV2:labelsContext=source_namespace,source_workload,destination_namespace,destination_workload/);
      }
    } finally {
      await prometheus.stop();
    }
  });
});

describe('TrafficMetrics when Prometheus is unavailable', () => {
  test('a Prometheus that is down or too slow is a 503 with a Status, quickly', async () => {
    const api = new MetricsApi({ mesh: 'istio', prometheus: new Prometheus('http://127.0.0.1:1', 500), now: () => AT });
    const started = Date.now();
    const r = await api.get('/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/deployments/web', new URLSearchParams());
    assert.equal(r.code, 503);
    assert.equal((r.body as { reason: string }).reason, 'ServiceUnavailable');
    assert.ok(Date.now() - started < 3000);
  });
});

describe('TrafficMetrics through the aggregation layer, read with kubectl', () => {
  test('kubectl get --raw /apis/metrics.smi-spec.io/... is proxied to smi metrics-server and answers exactly', async () => {
    const { KubeApiServer } = await import('../support/kube-api/server.js');
    const { MetricsServer } = await import('../../src/metrics/server.js');
    const { execFile } = await import('node:child_process');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const prometheus = await startPrometheus(FIXTURES.linkerd);
    const metrics = await new MetricsServer(new MetricsApi({ mesh: 'linkerd', prometheus: new Prometheus(prometheus.url), now: () => AT }), { port: 0, host: '127.0.0.1' }).start();
    const api = await new KubeApiServer().start();
    api.aggregate('metrics.smi-spec.io', ['v1alpha2', 'v1alpha1'], `http://127.0.0.1:${metrics.port}`);
    const dir = mkdtempSync(join(tmpdir(), 'smi-aggregated-'));
    writeFileSync(join(dir, 'kubeconfig'), api.kubeconfig());
    try {
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile('kubectl', ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), 'get', '--raw', '/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/deployments/web?window=1m'], (e, out) => (e ? reject(e) : resolve(out))));
      assert.deepEqual(values(JSON.parse(stdout) as Metrics), EXPECTED);
    } finally {
      await api.stop();
      await metrics.stop();
      await prometheus.stop();
    }
  });
});

describe('smi top', () => {
  test('a table like kubectl top, from Prometheus directly and through the API; edges too', async () => {
    const { runCli } = await import('../support/cli.js');
    const { MetricsServer } = await import('../../src/metrics/server.js');
    const prometheus = await startPrometheus(FIXTURES.istio);
    // Pinned to the fixture's time through the API server; the direct path asks at "now", so it sees no traffic.
    const metrics = await new MetricsServer(new MetricsApi({ mesh: 'istio', prometheus: new Prometheus(prometheus.url), now: () => AT }), { port: 0, host: '127.0.0.1' }).start();
    try {
      const viaApi = await runCli(['top', 'deployments', '-n', 'shop', '--server', `http://127.0.0.1:${metrics.port}`]);
      assert.equal(viaApi.code, 0, viaApi.stderr);
      assert.match(viaApi.stdout, /NAME\s+SUCCESS\s+RPS\s+LATENCY_P50\s+LATENCY_P90\s+LATENCY_P99/);
      assert.match(viaApi.stdout, /web\s+90\.91%\s+0\.73\s+15ms\s+19ms\s+19\.9ms/);
      const edges = await runCli(['top', 'deployments', '-n', 'shop', '--edges', 'web', '--server', `http://127.0.0.1:${metrics.port}`]);
      assert.match(edges.stdout, /<- shop\/client\s+90\.91%/);
      assert.match(edges.stdout, /-> data\/db\s+100\.00%/);
      const direct = await runCli(['top', 'deployments', '-n', 'shop', '--prometheus-url', prometheus.url, '--mesh', 'istio', '-o', 'json']);
      assert.equal(direct.code, 0, direct.stderr);
      assert.deepEqual(JSON.parse(direct.stdout), [], 'no traffic in the last minute of real time');
      assert.equal((await runCli(['top', 'deployments', '--prometheus-url', prometheus.url])).code, 2, '--mesh is needed');
      const down = await runCli(['top', 'pods', '--server', 'http://127.0.0.1:1']);
      assert.equal(down.code, 1);
      assert.match(down.stderr, /kubectl proxy/);
    } finally {
      await metrics.stop();
      await prometheus.stop();
    }
  });
});

describe('TrafficMetrics label selectors', () => {
  test('a selector picks the resources whose Kubernetes labels match, asked of the cluster; without cluster access it is refused', async () => {
    const { KubeApiServer } = await import('../support/kube-api/server.js');
    const { TestClient } = await import('../support/kube-api/client.js');
    const { KubeConfig } = await import('@kubernetes/client-node');
    const { clusterResolver } = await import('../../src/metrics/resolver.js');
    const prometheus = await startPrometheus(FIXTURES.istio);
    const cluster = await new KubeApiServer().start();
    try {
      const client = new TestClient(cluster);
      await client.ensureNamespace('shop');
      await client.create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', labels: { tier: 'front' } }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } });
      const kc = new KubeConfig();
      kc.loadFromString(cluster.kubeconfig());
      const api = new MetricsApi({ mesh: 'istio', prometheus: new Prometheus(prometheus.url), now: () => AT, resolveSelector: clusterResolver(kc) });
      const list = async (selector: string) => (await api.get('/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/deployments', new URLSearchParams({ window: '1m', labelSelector: selector }))).body as { items: Metrics[]; selector?: unknown };
      const front = await list('tier=front');
      assert.deepEqual(front.items.map((i) => i.resource.name), ['web']);
      assert.deepEqual(front.selector, { matchLabels: { tier: 'front' } });
      assert.deepEqual((await list('tier in (back)')).items, []);
      const refused = await new MetricsApi({ mesh: 'istio', prometheus: new Prometheus(prometheus.url), now: () => AT }).get('/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/deployments', new URLSearchParams({ labelSelector: 'tier=front' }));
      assert.equal(refused.code, 400);
    } finally {
      await cluster.stop();
      await prometheus.stop();
    }
  });
});

describe('TrafficMetrics of a TrafficSplit', () => {
  for (const mesh of ['istio', 'consul', 'appmesh'] as const) test(`${mesh}: one item per backend: the requests sent to it, with backend apex/leaf (v1alpha2) or apex/name (v1alpha1) and weight`, async () => {
    const { KubeApiServer } = await import('../support/kube-api/server.js');
    const { TestClient } = await import('../support/kube-api/client.js');
    const { KubeConfig } = await import('@kubernetes/client-node');
    const { clusterSplits } = await import('../../src/metrics/resolver.js');
    const { allCrds } = await import('../../src/api/crds.js');
    const prometheus = await startPrometheus(FIXTURES[mesh]);
    const cluster = await new KubeApiServer().start();
    try {
      const client = new TestClient(cluster);
      for (const crd of allCrds()) await client.create(crd as never);
      await client.ensureNamespace('shop');
      await client.create({ apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 'web', namespace: 'shop' }, spec: { service: 'web', backends: [{ service: 'web-v1', weight: 90 }, { service: 'web-v2', weight: 10 }] } });
      const kc = new KubeConfig();
      kc.loadFromString(cluster.kubeconfig());
      const api = new MetricsApi({ mesh, prometheus: new Prometheus(prometheus.url), now: () => AT, resolveSplits: clusterSplits(kc) });
      const v2 = (await api.get('/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/trafficsplits/web', new URLSearchParams({ window: '1m' }))).body as { items: (Metrics & { backend: Record<string, unknown> })[] };
      assert.deepEqual(v2.items.map((i) => [i.backend, values(i).success_count, values(i).failure_count]), [
        [{ apex: 'web', leaf: 'web-v1', weight: 90 }, '36', '0'],
        [{ apex: 'web', leaf: 'web-v2', weight: 10 }, '4', '4'],
      ]);
      assert.deepEqual(v2.items[0]!.resource, { kind: 'TrafficSplit', namespace: 'shop', name: 'web' });
      assert.deepEqual(v2.items[0]!.edge, { direction: 'from', side: 'client', resource: {} });
      const v1 = (await api.get('/apis/metrics.smi-spec.io/v1alpha1/namespaces/shop/trafficsplits', new URLSearchParams({ window: '1m' }))).body as { items: { backend: Record<string, unknown> }[] };
      assert.deepEqual(v1.items.map((i) => i.backend), [{ apex: 'web', name: 'web-v1', weight: 90 }, { apex: 'web', name: 'web-v2', weight: 10 }]);
      assert.equal((await api.get('/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/trafficsplits/nope', new URLSearchParams())).code, 404);
    } finally {
      await cluster.stop();
      await prometheus.stop();
    }
  });
});
