import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { formatData } from '../format.js';
import { UsageError } from '../io.js';
import { MetricsApi } from '../../metrics/api.js';
import { Prometheus } from '../../metrics/prometheus.js';
import { windowSeconds } from '../../metrics/promql.js';
import { metricsMeshes } from '../../targets/registry.js';
import { table as renderTable } from '../table.js';

interface TopFlags { namespace?: string; edges?: string; prometheusUrl?: string; mesh?: string; server: string; window: string; output: 'table' | 'json' | 'yaml' }
interface Item { resource: { namespace?: string; name: string }; edge?: { direction: string; resource: { namespace?: string; name: string } }; metrics: { name: string; value: string }[] }


export function topCommand(ctx: CommandContext): Command {
  return new Command('top')
    .summary('traffic of deployments, pods or namespaces: success rate, requests per second, latency percentiles')
    .description(
      'Like `kubectl top`, from the TrafficMetrics API (metrics.smi-spec.io): through --server (default the address of\n' +
        '`kubectl proxy`, which carries your kubeconfig\'s credentials), or straight from Prometheus with --prometheus-url\n' +
        'and --mesh. Exit 1 when the metrics cannot be read.',
    )
    .argument('<kind>', 'deployments, pods or namespaces')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--edges <name>', 'the edges of one resource: who calls it, whom it calls')
    .option('--prometheus-url <url>', 'read Prometheus directly instead of the API')
    .addOption(new Option('--mesh <mesh>', 'with --prometheus-url: whose metric names to read').choices(metricsMeshes()))
    .option('--server <url>', 'base URL of the Kubernetes API (e.g. kubectl proxy)', 'http://127.0.0.1:8001')
    .option('--window <duration>', 'window of the counts and percentiles', '1m')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'yaml']).default('table'))
    .action(async (kind: string, opts: TopFlags) => {
      if (!['deployments', 'pods', 'namespaces'].includes(kind)) throw new UsageError(`top shows deployments, pods or namespaces, not ${kind}`);
      if (opts.prometheusUrl && !opts.mesh) throw new UsageError('--prometheus-url needs --mesh: metric names differ by mesh');
      const path = `/apis/metrics.smi-spec.io/v1alpha2/${kind === 'namespaces' ? 'namespaces' : `namespaces/${encodeURIComponent(opts.namespace ?? 'default')}/${kind}`}${opts.edges ? `/${encodeURIComponent(opts.edges)}/edges` : ''}`;
      const query = new URLSearchParams({ window: opts.window });
      let code: number;
      let body: unknown;
      if (opts.prometheusUrl) {
        ({ code, body } = await new MetricsApi({ mesh: opts.mesh!, prometheus: new Prometheus(opts.prometheusUrl) }).get(path, query));
      } else {
        try {
          const r = await fetch(`${opts.server.replace(/\/$/, '')}${path}?${query}`, { signal: AbortSignal.timeout(10_000) });
          code = r.status;
          body = await r.json();
        } catch (e) {
          ctx.io.stderr(`error: cannot read ${opts.server}${path}: ${e instanceof Error ? e.message : String(e)} (is \`kubectl proxy\` running?)\n`);
          ctx.exitCode = 1;
          return;
        }
      }
      if (code !== 200) {
        ctx.io.stderr(`error: ${(body as { message?: string }).message ?? `HTTP ${code}`}\n`);
        ctx.exitCode = 1;
        return;
      }
      const items = ((body as { items?: Item[] }).items ?? [body as Item]).filter((i) => i?.metrics);
      if (opts.output !== 'table') {
        ctx.io.stdout(formatData(opts.output, items));
        return;
      }
      const seconds = windowSeconds(opts.window);
      const rows = items.map((i) => {
        const v = Object.fromEntries(i.metrics.map((m) => [m.name, Number(m.value)]));
        const total = (v.success_count ?? 0) + (v.failure_count ?? 0);
        const ms = (x: number | undefined) => (x === undefined ? '-' : `${x}ms`);
        const who = i.edge ? `${i.edge.direction === 'from' ? '<- ' : '-> '}${i.edge.resource.namespace ? `${i.edge.resource.namespace}/` : ''}${i.edge.resource.name}` : i.resource.name;
        return [who, total > 0 ? `${((100 * (v.success_count ?? 0)) / total).toFixed(2)}%` : '-', (total / seconds).toFixed(2), ms(v.p50_response_latency), ms(v.p90_response_latency), ms(v.p99_response_latency)];
      });
      ctx.io.stdout(renderTable([opts.edges ? 'EDGE' : 'NAME', 'SUCCESS', 'RPS', 'LATENCY_P50', 'LATENCY_P90', 'LATENCY_P99'], rows));
    });
}
