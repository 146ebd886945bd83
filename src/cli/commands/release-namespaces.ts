/** `smi release-namespaces`: give back the annotations smi's controller wrote on Namespaces (before uninstalling). */
import { Command, Option } from 'commander';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { CommandContext } from '../context.js';
import { EXIT } from '../io.js';
import { loadKubeConfig } from '../../kube/config.js';
import { listKinds } from '../../kube/snapshot.js';
import { NAMESPACE_KIND } from '../../api/watched-kinds.js';
import { Writer } from '../../kube/writer.js';
import { namespacePatch, ownedAnnotations, ownedLabels, type NamespaceObject } from '../../controller/namespace-fields.js';

export function releaseNamespacesCommand(ctx: CommandContext): Command {
  return new Command('release-namespaces')
    .summary("give back the namespace annotations smi's controller owns (run before smi uninstall)")
    .description('With a mesh flag that annotates namespaces (Linkerd\'s --linkerd-namespace-deny, for one) the controller owns\n' +
      'those annotations on the namespaces holding its destinations. This applies each such Namespace with none of them under the\n' +
      "controller's field manager (server-side apply), so the server removes what only smi owned and keeps\n" +
      'what someone else also set. Exit 0 when done (or nothing to do), 1 with --dry-run when there is something.')
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--dry-run', 'list the namespaces and annotations without writing', false)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: { kubeconfig?: string; dryRun: boolean; output: 'text' | 'json' }) => {
      const kc = loadKubeConfig(opts.kubeconfig);
      const namespaces = (await listKinds(kc, [NAMESPACE_KIND])).get(NAMESPACE_KIND) ?? [];
      const owned = namespaces.map((n) => ({ name: n.metadata?.name ?? '', annotations: ownedAnnotations(n as NamespaceObject), labels: ownedLabels(n as NamespaceObject) }))
        .filter((n) => n.annotations.length + n.labels.length > 0);
      if (!opts.dryRun) {
        const writer = new Writer(kc);
        for (const n of owned) await writer.apply(namespacePatch(n.name) as KubernetesObject);
      }
      if (opts.output === 'json') ctx.io.stdout(`${JSON.stringify({ dryRun: opts.dryRun, namespaces: owned }, null, 2)}\n`);
      else if (owned.length === 0) ctx.io.stdout('no namespace carries annotations or labels owned by smi\n');
      else for (const n of owned) ctx.io.stdout(`${opts.dryRun ? 'would give back' : 'gave back'} ${[...n.annotations, ...n.labels.map((l) => `label ${l}`)].join(', ')} on namespace ${n.name}\n`);
      ctx.exitCode = opts.dryRun && owned.length > 0 ? EXIT.failed : EXIT.ok;
    });
}
