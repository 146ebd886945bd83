import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { runUntilSignal } from '../signals.js';
import { accessModeOption } from '../policy-input.js';
import { addTranslateOptions, meshOption, requireTarget, translateOptions, type TranslateFlags } from '../mesh-options.js';
import type { AccessMode } from '../../policy/model.js';
import { runController } from '../../controller/runtime.js';
import { UsageError } from '../io.js';

interface ControllerFlags extends TranslateFlags {
  mesh: string;
  kubeconfig?: string;
  namespace?: string[];
  scope?: string[];
  accessMode: AccessMode;
  leaderElect: boolean;
  leaderElectNamespace: string;
  leaseDuration: string;
  metricsAddr?: string;
  healthAddr?: string;
  webhookPort?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  dryRun: boolean;
}

export function controllerCommand(_ctx: CommandContext): Command {
  return addTranslateOptions(new Command('controller'))
    .summary('keep mesh resources in step with SMI resources on a cluster')
    .description(
      'Watches SMI resources, Services, ServiceAccounts and workloads, and keeps the chosen mesh\'s resources\n' +
        'in step by server-side apply (field manager smi-controller); writes status conditions and Events on SMI\n' +
        'objects; deletes what it wrote and no longer produces. Runs until SIGTERM or SIGINT. In-cluster config\n' +
        'when no --kubeconfig and KUBERNETES_SERVICE_HOST is set, else the default kubeconfig.',
    )
    .addOption(meshOption())
    .addOption(accessModeOption())
    .option('--kubeconfig <file>', 'kubeconfig file')
    .addOption(new Option('-n, --namespace <ns...>', 'renamed --scope').hideHelp())
    .option('--scope <ns...>', "watch and govern exactly these namespaces, system ones included (default: all namespaces watched; governed are those holding SMI objects or labelled smi-spec.io/enforce=true, never kube-*, a mesh's or smi's own)")
    .option('--dry-run', 'compute what would be written and deleted, and report it (logs, the smi_controller_dry_run_pending_changes metric, GET /plan on --health-addr, `smi diff --live`); write nothing', false)
    .option('--leader-elect', 'elect a leader on a coordination.k8s.io Lease; only the leader writes', false)
    .option('--leader-elect-namespace <ns>', 'namespace of the Lease', 'smi-system')
    .option('--lease-duration <seconds>', 'how long a lease lasts without renewal', '15')
    .addOption(new Option('--metrics-addr <addr>', 'serve Prometheus metrics on [host]:port').default(':9090'))
    .addOption(new Option('--health-addr <addr>', 'serve /healthz and /readyz on [host]:port').default(':8081'))
    .option('--webhook-port <port>', 'also serve the admission and conversion webhooks (HTTPS) on this port')
    .option('--tls-cert-file <file>', 'webhook serving certificate (PEM), reloaded when it changes')
    .option('--tls-private-key-file <file>', 'webhook private key (PEM)')
    .action(async (opts: ControllerFlags) => {
      // -n is kubectl's namespace for objects that name none in every other command: here it was the scope.
      if (opts.namespace) throw new UsageError(`the controller's namespaces are --scope now (-n means the namespace of objects that name none elsewhere): --scope ${opts.namespace.join(' ')}`);
      const target = requireTarget(opts.mesh, opts);
      if (opts.webhookPort && (!opts.tlsCertFile || !opts.tlsPrivateKeyFile)) throw new UsageError('--webhook-port needs --tls-cert-file and --tls-private-key-file: the webhooks are served over TLS only');
      const seconds = Number(opts.leaseDuration);
      const running = await runController({
        target, translate: translateOptions(opts), mode: opts.accessMode,
        ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
        ...(opts.scope ? { namespaces: opts.scope } : {}),
        ...(opts.leaderElect ? { leaderElect: { namespace: opts.leaderElectNamespace, name: `smi-controller-${target.name}`, leaseDurationSeconds: seconds, retryPeriodMs: Math.max(200, (seconds * 1000) / 5) } } : {}),
        ...(opts.metricsAddr ? { metricsAddr: opts.metricsAddr } : {}),
        ...(opts.healthAddr ? { healthAddr: opts.healthAddr } : {}),
        ...(opts.dryRun ? { dryRun: true } : {}),
        ...(opts.webhookPort ? { webhook: { port: Number(opts.webhookPort), certFile: opts.tlsCertFile!, keyFile: opts.tlsPrivateKeyFile! } } : {}),
      });
      await runUntilSignal(() => running.stop());
    });
}
