import { Command, Option } from 'commander';
import pino from 'pino';
import type { CommandContext } from '../context.js';
import { runUntilSignal } from '../signals.js';
import { UsageError } from '../io.js';
import { MetricsApi } from '../../metrics/api.js';
import { MetricsServer } from '../../metrics/server.js';
import { Prometheus } from '../../metrics/prometheus.js';
import { clusterResolver, clusterSplits } from '../../metrics/resolver.js';
import { loadKubeConfig } from '../../kube/config.js';
import { METRICS_MESHES, type MetricsMesh } from '../../metrics/promql.js';

interface Flags { kubeconfig?: string; clusterSelectors: boolean; prometheusUrl?: string; mesh: MetricsMesh; securePort: string; tlsCertFile?: string; tlsPrivateKeyFile?: string; requestheaderClientCaFile?: string; prometheusTimeout: string }

export function metricsServerCommand(_ctx: CommandContext): Command {
  return new Command('metrics-server')
    .summary('serve the TrafficMetrics API (metrics.smi-spec.io) from Prometheus')
    .description(
      'Serves metrics.smi-spec.io v1alpha1 and v1alpha2 as an aggregated API: namespaces, deployments, pods, daemonsets,\n' +
        'statefulsets, their edges, ?window=30s|1m|5m. Counts and latency percentiles come from the mesh\'s own metrics in\n' +
        'Prometheus (docs/metrics.md). With TLS and --requestheader-client-ca-file, only the aggregation layer (its\n' +
        'front-proxy client certificate) is served. Runs until SIGTERM or SIGINT.',
    )
    .option('--prometheus-url <url>', 'Prometheus HTTP API base URL')
    .addOption(new Option('--mesh <mesh>', 'whose metric names to read').choices([...METRICS_MESHES]).makeOptionMandatory())
    .option('--secure-port <port>', 'port to serve on', '6443')
    .option('--tls-cert-file <file>', 'serving certificate (PEM)')
    .option('--tls-private-key-file <file>', 'private key (PEM)')
    .option('--requestheader-client-ca-file <file>', 'CA of the aggregation layer\'s client certificates: require and verify them')
    .option('--prometheus-timeout <ms>', 'give up on Prometheus after this long (then 503)', '5000')
    .option('--kubeconfig <file>', 'cluster access for label selectors (default: in-cluster or ~/.kube/config)')
    .option('--no-cluster-selectors', 'do not reach the cluster: label selectors are refused')
    .action(async (opts: Flags) => {
      if (!opts.prometheusUrl) throw new UsageError('--prometheus-url is required');
      if (Boolean(opts.tlsCertFile) !== Boolean(opts.tlsPrivateKeyFile)) throw new UsageError('--tls-cert-file and --tls-private-key-file go together');
      const api = new MetricsApi({
        mesh: opts.mesh, prometheus: new Prometheus(opts.prometheusUrl, Number(opts.prometheusTimeout)),
        ...(opts.clusterSelectors ? { resolveSelector: clusterResolver(loadKubeConfig(opts.kubeconfig)), resolveSplits: clusterSplits(loadKubeConfig(opts.kubeconfig)) } : {}),
      });
      const server = await new MetricsServer(api, {
        port: Number(opts.securePort),
        ...(opts.tlsCertFile && opts.tlsPrivateKeyFile ? { tls: { certFile: opts.tlsCertFile, keyFile: opts.tlsPrivateKeyFile, ...(opts.requestheaderClientCaFile ? { clientCaFile: opts.requestheaderClientCaFile } : {}) } } : {}),
      }).start();
      pino({ base: { component: 'smi-metrics-server' } }).info({ port: server.port, mesh: opts.mesh, tls: Boolean(opts.tlsCertFile) }, 'serving TrafficMetrics');
      await runUntilSignal(() => server.stop());
    });
}
