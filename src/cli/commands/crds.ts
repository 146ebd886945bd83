import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { allCrds, kindsNeedingConversion } from '../../api/crds.js';
import { toJson } from '../format.js';
import { toYamlStream } from '../../api/yaml-write.js';
import { UsageError } from '../io.js';

export function crdsCommand(ctx: CommandContext): Command {
  return new Command('crds')
    .summary('print the CustomResourceDefinitions of every SMI kind')
    .description(
      'Prints the CRDs for every SMI kind served by CRDs, the newest version stored. Versions differ in shape: with\n' +
        'the conversion webhook (--conversion-webhook) every published version is served; without it only the newest\n' +
        'is (the API server alone would drop what moved between versions, such as a v1alpha2 destination port), and\n' +
        'older files are converted first with `smi convert`. Pipe to `kubectl apply -f -`.',
    )
    .option('--conversion-webhook <namespace/name>', 'Service of the smi conversion webhook (adds spec.conversion)')
    .option('--ca-bundle <base64>', 'caBundle for the conversion webhook client config')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action((opts: { conversionWebhook?: string; caBundle?: string; output: 'yaml' | 'json' }) => {
      let conversionWebhook;
      if (opts.conversionWebhook !== undefined) {
        const [namespace, name, ...rest] = opts.conversionWebhook.split('/');
        if (!namespace || !name || rest.length > 0) throw new UsageError('--conversion-webhook takes namespace/name of a Service');
        conversionWebhook = { namespace, name, caBundle: opts.caBundle };
      } else {
        ctx.io.stderr(
          `note: without --conversion-webhook only the newest version of ${kindsNeedingConversion().join(', ')} is served ` +
            '(the API server cannot convert them without loss); convert older files with `smi convert`, or install the webhook\n',
        );
      }
      const crds = allCrds({ conversionWebhook });
      ctx.io.stdout(opts.output === 'json' ? toJson(crds) : toYamlStream(crds));
    });
}
