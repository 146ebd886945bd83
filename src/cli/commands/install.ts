import { Command, Option } from 'commander';
import { metricsMeshes } from '../../targets/registry.js';
import { UsageError } from '../io.js';
import type { Target, TranslateOptions } from '../../targets/target.js';
import type { CommandContext } from '../context.js';
import { accessModeOption } from '../policy-input.js';
import { addTranslateOptions, meshOption, requireTarget, translateOptions, type TranslateFlags } from '../mesh-options.js';
import { toJson } from '../format.js';
import { toYamlStream } from '../../api/yaml-write.js';
import { installManifests, servingNames, type WebhookInstall } from '../../install/manifests.js';
import { packageVersion } from '../../version.js';

interface InstallFlags extends TranslateFlags {
  mesh: string;
  apiServerCidr?: string[];
  allowMetricsFrom?: string[];
  networkPolicy?: boolean;
  accessMode: string;
  namespace: string;
  image: string;
  replicas: string;
  webhook: 'none' | 'generate' | 'cert-manager';
  metricsPrometheusUrl?: string;
  metricsMesh?: string;
  output: 'yaml' | 'json';
}

/** The flags of install; uninstall takes the same (so a script can pass them alike) and hides those that change no name of what it deletes. */
const maybeHidden = (o: Option, hidden: boolean): Option => (hidden ? o.hideHelp() : o);

const common = (c: Command, uninstall = false) =>
  addTranslateOptions(c)
    .addOption(meshOption())
    .addOption(accessModeOption())
    .option('-n, --namespace <ns>', 'namespace of the controller', 'smi-system')
    .addOption(maybeHidden(new Option('--image <image>', 'controller image').default(`ghcr.io/smi-spec/smi:${packageVersion()}`), uninstall))
    .addOption(maybeHidden(new Option('--replicas <n>', 'controller replicas (one leads, the others stand by)').default('2'), uninstall))
    .addOption(new Option('--webhook <mode>', 'admission + conversion webhook: generate (a CA and serving certificate now), cert-manager (a Certificate and CA injection), or none').choices(['generate', 'cert-manager', 'none']).default('generate'))
    .option('--metrics-prometheus-url <url>', 'also serve the TrafficMetrics API (metrics.smi-spec.io) from this Prometheus')
    .addOption(new Option('--metrics-mesh <mesh>', 'whose metric names the TrafficMetrics API reads (default: --mesh, or the mesh whose authorization it writes)').choices(metricsMeshes()))
    .addOption(maybeHidden(new Option('--api-server-cidr <cidr>', "where the API server's calls to the webhook and metrics-server come from (repeatable); without it those two ports are open to any address").argParser((v: string, prev: string[] = []) => [...prev, v]), uninstall))
    .addOption(maybeHidden(new Option('--allow-metrics-from <namespace>', "a namespace (Prometheus) that may scrape the controller's /metrics and read /healthz and /plan (repeatable; default: none)").argParser((v: string, prev: string[] = []) => [...prev, v]), uninstall))
    .option('--no-network-policy', "do not write NetworkPolicies for smi's namespace")
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'));

/** Whose metrics the TrafficMetrics API reads by default: the mesh's own, or those of the mesh whose authorization it writes. */
function metricsMeshOf(target: Target, options: TranslateOptions): string {
  if (target.metrics) return target.name;
  const authorization = target.authorization?.(options);
  if (authorization && metricsMeshes().includes(authorization)) return authorization;
  throw new UsageError(`--metrics-prometheus-url: ${target.name} has no metrics of its own; name whose to read with --metrics-mesh (${metricsMeshes().join(', ')})`);
}

/** What install writes for these flags; for deletion, the generated certificate's Secret by name only (no new certificate). */
async function manifests(opts: InstallFlags, forDeletion = false) {
  const replicas = Number(opts.replicas);
  const target = requireTarget(opts.mesh, opts);
  const webhook: WebhookInstall = opts.webhook !== 'generate' ? { mode: opts.webhook }
    : forDeletion ? { mode: 'generate', caPem: '', certPem: '', keyPem: '' }
      : { mode: 'generate', ...(await (await import('../../webhooks/certificates.js')).generateCertificates({ dnsNames: servingNames(opts.namespace) })) };
  return installManifests({ target, translate: translateOptions(opts), namespace: opts.namespace, image: opts.image, replicas: Number.isInteger(replicas) && replicas > 0 ? replicas : 2, accessMode: opts.accessMode, webhook,
    networkPolicy: opts.networkPolicy === false ? false : { ...(opts.apiServerCidr ? { apiServerCidrs: opts.apiServerCidr } : {}), ...(opts.allowMetricsFrom ? { metricsFrom: opts.allowMetricsFrom } : {}) },
    ...(opts.metricsPrometheusUrl ? { metrics: { prometheusUrl: opts.metricsPrometheusUrl, mesh: opts.metricsMesh ?? metricsMeshOf(target, translateOptions(opts)) } } : {}) });
}

export function installCommand(ctx: CommandContext): Command {
  return common(new Command('install'))
    .summary('print the manifests that install smi for a mesh')
    .description('Prints the SMI CRDs, the controller\'s namespace, RBAC (least privilege for the chosen mesh), Deployment,\nmetrics Service and the admission/conversion webhook (with a fresh CA and certificate, or cert-manager):\n`smi install --mesh istio | kubectl apply -f -`. deploy/ holds the same for istio (cert-manager) as a kustomize base.')
    .action(async (opts: InstallFlags) => {
      const objects = await manifests(opts);
      if (opts.webhook === 'none') ctx.io.stderr('note: --webhook none: only the newest version of each SMI kind is served (nothing converts older ones without loss); convert older files with `smi convert`\n');
      ctx.io.stdout(opts.output === 'json' ? toJson(objects) : toYamlStream(objects));
    });
}

export function uninstallCommand(ctx: CommandContext): Command {
  return common(new Command('uninstall'), true)
    .summary('print the manifests to delete: smi uninstall --mesh X | kubectl delete -f -')
    .description('Prints what `smi install` creates, in reverse order, for `kubectl delete -f -`. Deleting the CRDs deletes every SMI\nobject; the mesh resources smi wrote are owned by them or carry app.kubernetes.io/managed-by=smi for cleanup.')
    .action(async (opts: InstallFlags) => {
      if (requireTarget(opts.mesh, opts).annotatesNamespaces?.(translateOptions(opts))) ctx.io.stderr("note: the controller annotated namespaces; stop the controller (kubectl -n smi-system scale deployment smi-controller --replicas 0), give them back with `smi release-namespaces`, then delete\n");
      const objects = (await manifests(opts, true)).reverse();
      ctx.io.stdout(opts.output === 'json' ? toJson(objects) : toYamlStream(objects));
    });
}
