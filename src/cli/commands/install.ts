import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { accessModeOption } from '../policy-input.js';
import { addTranslateOptions, meshOption, requireTarget, translateOptions, type TranslateFlags } from '../mesh-options.js';
import { toJson, toYamlStream } from '../format.js';
import { installManifests } from '../../install/manifests.js';
import { packageVersion } from '../version.js';

interface InstallFlags extends TranslateFlags {
  mesh: string;
  accessMode: string;
  namespace: string;
  image: string;
  replicas: string;
  output: 'yaml' | 'json';
}

const common = (c: Command) =>
  addTranslateOptions(c)
    .addOption(meshOption())
    .addOption(accessModeOption())
    .option('--namespace <ns>', 'namespace of the controller', 'smi-system')
    .option('--image <image>', 'controller image', `ghcr.io/smi-spec/smi:${packageVersion()}`)
    .option('--replicas <n>', 'controller replicas (one leads, the others stand by)', '2')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'));

function manifests(opts: InstallFlags) {
  const replicas = Number(opts.replicas);
  return installManifests({ target: requireTarget(opts.mesh, opts), translate: translateOptions(opts), namespace: opts.namespace, image: opts.image, replicas: Number.isInteger(replicas) && replicas > 0 ? replicas : 2, accessMode: opts.accessMode });
}

export function installCommand(ctx: CommandContext): Command {
  return common(new Command('install'))
    .summary('print the manifests that install smi for a mesh')
    .description('Prints the SMI CRDs, the controller\'s namespace, RBAC (least privilege for the chosen mesh), Deployment and\nmetrics Service: `smi install --mesh istio | kubectl apply -f -`. deploy/ holds the same for istio as a kustomize base.')
    .action((opts: InstallFlags) => {
      const objects = manifests(opts);
      ctx.io.stdout(opts.output === 'json' ? toJson(objects) : toYamlStream(objects));
    });
}

export function uninstallCommand(ctx: CommandContext): Command {
  return common(new Command('uninstall'))
    .summary('print the manifests to delete: smi uninstall --mesh X | kubectl delete -f -')
    .description('Prints what `smi install` creates, in reverse order, for `kubectl delete -f -`. Deleting the CRDs deletes every SMI\nobject; the mesh resources smi wrote are owned by them or carry app.kubernetes.io/managed-by=smi for cleanup.')
    .action((opts: InstallFlags) => {
      const objects = manifests(opts).reverse();
      ctx.io.stdout(opts.output === 'json' ? toJson(objects) : toYamlStream(objects));
    });
}
