/**
 * The TrafficMetrics API for 1,000 pods against the raw PromQL it runs, on the same real Prometheus
 * in one run: the API's list of pods (HTTP, JSON) vs the same five queries sent straight to
 * Prometheus, alternated, median of 30 each. Needs prometheus and promtool (Debian's package).
 * Run: npm run bench -- metrics
 */
import { MetricsApi } from '../src/metrics/api.js';
import { MetricsServer } from '../src/metrics/server.js';
import { Prometheus } from '../src/metrics/prometheus.js';
import { resourceQueries } from '../src/metrics/promql.js';
import { openMetrics, series, startPrometheus } from '../test/support/prometheus.js';

const START = 1_700_000_000;
const POINTS = 9;
const AT = START + 120;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchMetrics(pods = 1000, rounds = 30): Promise<Record<string, unknown>> {
  const base = (i: number) => ({ reporter: 'destination', destination_workload: `app-${i % 50}`, destination_workload_namespace: 'shop', pod: `app-${i % 50}-${i}` });
  const text = openMetrics([
    series('istio_requests_total', Array.from({ length: pods }, (_, i) => [{ labels: { ...base(i), response_code: '200' }, step: 10 }, { labels: { ...base(i), response_code: '503' }, step: 1 }]).flat(), START, POINTS),
    series('istio_request_duration_milliseconds_bucket', Array.from({ length: pods }, (_, i) => ['10', '20', '+Inf'].map((le) => ({ labels: { ...base(i), le }, step: le === '10' ? 0 : 11 }))).flat(), START, POINTS),
  ]);
  const prometheus = await startPrometheus(text);
  const client = new Prometheus(prometheus.url, 30_000);
  const server = await new MetricsServer(new MetricsApi({ mesh: 'istio', prometheus: client, now: () => AT }), { port: 0, host: '127.0.0.1' }).start();
  try {
    const q = resourceQueries('istio', { kind: 'pods', namespace: 'shop' }, '1m');
    const raw = async () => {
      const t = performance.now();
      await Promise.all([q.success, q.failure, q.p50, q.p90, q.p99].map((x) => client.query(x, AT)));
      return performance.now() - t;
    };
    let items = 0;
    const api = async () => {
      const t = performance.now();
      const r = await fetch(`http://127.0.0.1:${server.port}/apis/metrics.smi-spec.io/v1alpha2/namespaces/shop/pods?window=1m`);
      items = ((await r.json()) as { items: unknown[] }).items.length;
      return performance.now() - t;
    };
    for (let i = 0; i < 5; i++) { await raw(); await api(); }
    const rawMs: number[] = [];
    const apiMs: number[] = [];
    for (let i = 0; i < rounds; i++) {
      rawMs.push(await raw());
      apiMs.push(await api());
    }
    return {
      benchmark: 'TrafficMetrics API vs raw PromQL (istio, pods list)',
      pods, items, rounds,
      rawPromqlMedianMs: +median(rawMs).toFixed(1),
      apiMedianMs: +median(apiMs).toFixed(1),
      ratio: +(median(apiMs) / median(rawMs)).toFixed(2),
      aim: 'ratio ≤ 1.2',
    };
  } finally {
    await server.stop();
    await prometheus.stop();
  }
}
