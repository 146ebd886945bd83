/** `smi dashboard`: the policy, its meshes, what-if questions and live traffic in a browser (read-only). */
import { logUnhandledRejections } from '../signals.js';
import { isLoopbackAddress } from '../../http/guard.js';
import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { accessModeOption, filenameOption, scopeOption, namespaceOption, namespaceOf } from '../policy-input.js';
import { loadInput } from '../load.js';
import { formatDiagnostics } from '../format.js';
import { UsageError } from '../io.js';
import { hasErrors } from '../../api/diagnostic.js';
import type { AccessMode } from '../../policy/model.js';
import { addTranslateOptions, requireTargets, translateOptions, type TranslateFlags } from '../mesh-options.js';
import { startDashboard, type DashboardOptions } from '../../dashboard/server.js';
import { dashboardState, type DashboardSettings } from '../../dashboard/state.js';
import { fixedSource, type StateSource } from '../../dashboard/source.js';
import { followCluster } from '../../dashboard/cluster-source.js';
import { prometheusTraffic } from '../../dashboard/prometheus-traffic.js';
import { loadKubeConfig } from '../../kube/config.js';
import { Prometheus } from '../../metrics/prometheus.js';
import { parseWindow } from '../../metrics/promql.js';
import { metricsMeshes, metricsOf } from '../../targets/registry.js';

interface DashboardFlags extends TranslateFlags {
  filename?: string[];
  kubeconfig?: string;
  mesh?: string[];
  accessMode: AccessMode;
  namespace?: string[];
  scope?: string[];
  prometheusUrl?: string;
  metricsMesh?: string;
  window: string;
  refresh: string;
  host: string;
  allowedHost?: string[];
  port: string;
}

const WINDOWS = ['1m', '5m', '15m', '1h'];

export function dashboardCommand(ctx: CommandContext, wait: () => Promise<void> = waitForSignal): Command {
  return addTranslateOptions(new Command('dashboard'))
    .summary('serve a read-only web view of the policy, each mesh\'s answers, diagnostics and live traffic')
    .description('Serves the policy in a browser: namespaces, identities and Services; who may call whom on what;\n' +
      'splits; every diagnostic tied to what it concerns; what-if forms (may A call B? where does a request\n' +
      'to S go?) answered by SMI and by each --mesh (with --fence networkpolicy: with and without the fence).\n' +
      'From files (-f) or following a cluster (--kubeconfig: the page updates itself as objects change).\n' +
      'With --prometheus-url, edges carry live requests per second, success rate and p99 from the metrics of\n' +
      `--metrics-mesh: ${metricsMeshes().map((m) => `${m} (${metricsOf(m)?.edgeEnds ?? 'no live edges'})`).join(', ')}, each end shown as the\n` +
      'ServiceAccount behind it.\n' +
      'Read-only, bound to 127.0.0.1 unless --host says otherwise; JSON at /api/view, /api/check, /api/route,\n' +
      '/api/explain, /api/traffic; /api/events streams version changes. Runs until interrupted.')
    .addOption(filenameOption().makeOptionMandatory(false))
    .option('--kubeconfig <file>', 'follow this cluster instead of files (watches SMI objects, Services, ServiceAccounts, workloads, Namespaces)')
    .addOption(new Option('--mesh <mesh>', 'a mesh to answer beside SMI (repeatable)').argParser((v: string, prev: string[] = []) => [...prev, v]))
    .addOption(accessModeOption())
    .addOption(namespaceOption())
    .addOption(scopeOption())
    .option('--prometheus-url <url>', 'live traffic on the edges from this Prometheus')
    .addOption(new Option('--metrics-mesh <mesh>', 'whose metric names to read (default: the first --mesh that has metrics)').choices(metricsMeshes()))
    .option('--window <duration>', 'the traffic window shown first (the page offers 1m, 5m, 15m, 1h)', '5m')
    .option('--refresh <seconds>', 'how often the page re-reads traffic', '10')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .addOption(new Option('--allowed-host <name>', 'a host name the page may be opened by, besides localhost and IP addresses (repeatable; others are refused: DNS rebinding)').argParser((v: string, prev: string[] = []) => [...prev, v]))
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .action(async (opts: DashboardFlags) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${opts.port}: not a port number`);
      const files = opts.filename ?? [];
      if (files.length === 0 && !opts.kubeconfig) throw new UsageError('give the policy: -f PATH (files) or --kubeconfig FILE (follow a cluster)');
      if (files.length > 0 && opts.kubeconfig) throw new UsageError('-f and --kubeconfig are exclusive: the dashboard shows files or a cluster, not both');
      // A cluster's objects all name their namespace: -n would be silently ignored there.
      if (opts.kubeconfig && opts.namespace) throw new UsageError('-n places objects in -f files that name no namespace; a cluster\'s objects name theirs. To show some namespaces of the cluster, use --scope');
      const traffic = trafficOption(opts);

      const settings: DashboardSettings = {
        mode: opts.accessMode,
        ...(opts.scope && opts.scope.length > 0 ? { namespaces: opts.scope } : {}),
        // Each mesh with the flags that apply to it; with --fence, a mesh that has one is shown both bare and fenced.
        meshes: requireTargets(opts.mesh ?? [], opts).flatMap(({ target, options }) => {
          const bare = { target, options: { ...options, fence: undefined } };
          return options.fence ? [bare, { target, options }] : [bare];
        }),
      };

      let source: StateSource;
      let stop = async () => {};
      if (opts.kubeconfig) {
        const kc = loadKubeConfig(opts.kubeconfig);
        ctx.io.stderr(`smi dashboard: reading ${kc.getCurrentCluster()?.server ?? 'the cluster'}…\n`);
        const followed = await followCluster(kc, settings, { onError: (what, e) => ctx.io.stderr(`smi dashboard: ${what} failed (retrying): ${e instanceof Error ? e.message : String(e)}\n`) });
        source = followed.source;
        stop = followed.stop;
      } else {
        const input = await loadInput(ctx, files, false, namespaceOf(opts));
        const shown = input.diagnostics.filter((d) => d.severity !== 'info');
        if (shown.length > 0) ctx.io.stderr(formatDiagnostics(shown));
        if (hasErrors(input.diagnostics)) throw new UsageError('the input has errors (above); fix them or check them with `smi validate`');
        source = fixedSource(dashboardState(input, settings), files.join(', '));
      }
      logUnhandledRejections((e) => ctx.io.stderr(`smi dashboard: unhandled failure (still serving): ${e instanceof Error ? e.message : String(e)}\n`));
      if (!isLoopbackAddress(opts.host)) {
        ctx.io.stderr(`smi dashboard: WARNING: listening on ${opts.host}, not loopback: anyone who can reach it reads the whole policy (no authentication). Put it behind an authenticating proxy, or use kubectl port-forward to a loopback dashboard\n`);
      }
      const running = await startDashboard(source, { host: opts.host, port }, {
        ...(traffic ? { traffic } : {}),
        ...(opts.allowedHost ? { allowedHosts: opts.allowedHost } : {}),
        onError: (e) => ctx.io.stderr(`smi dashboard: a request failed: ${e instanceof Error ? e.message : String(e)}\n`),
      });
      ctx.io.stderr(`smi dashboard: ${running.url} (read-only${source.live ? ', following the cluster' : ''}${traffic ? `, traffic from ${traffic.reader.mesh} metrics` : ''}; Ctrl-C stops it)\n`);
      try {
        await wait();
      } finally {
        await running.close();
        await stop();
      }
    });
}

function trafficOption(opts: DashboardFlags): DashboardOptions['traffic'] {
  if (!opts.prometheusUrl) {
    if (opts.metricsMesh) throw new UsageError('--metrics-mesh applies with --prometheus-url');
    return undefined;
  }
  const window = parseWindow(opts.window);
  if (!window) throw new UsageError(`--window ${opts.window}: a duration such as 30s, 5m or 1h`);
  const refreshSeconds = Number(opts.refresh);
  if (!Number.isFinite(refreshSeconds) || refreshSeconds < 1) throw new UsageError(`--refresh ${opts.refresh}: seconds, at least 1`);
  const mesh = opts.metricsMesh ?? (opts.mesh ?? []).find((m) => metricsMeshes().includes(m));
  if (!mesh) throw new UsageError(`--prometheus-url needs --metrics-mesh (${metricsMeshes().join(', ')}): metric names differ by mesh`);
  // The mesh's own flags say how to read its series (Istio: which waypoint relays connections).
  const reader = prometheusTraffic(new Prometheus(opts.prometheusUrl), mesh, translateOptions(opts));
  if (!reader) throw new UsageError(`--metrics-mesh ${mesh}: its metrics do not name both ends of a request, so there are no edges to draw`);
  return { reader, windows: [...new Set([...WINDOWS, window])], window, refreshSeconds };
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
