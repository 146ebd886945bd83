import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { allCrds, kindsNeedingConversion } from '../../api/crds.js';
import { toJson, toYamlStream } from '../format.js';
import { UsageError } from '../io.js';

export function crdsCommand(ctx: CommandContext): Command {
  return new Command('crds')
    .summary('print the CustomResourceDefinitions of every SMI kind')
    .description(
      'Prints the CRDs for every SMI kind served by CRDs: every published version served, the newest stored.\n' +
        'Versions differ in shape, so a cluster needs the conversion webhook (--conversion-webhook) to serve them all\n' +
        'correctly. Pipe to `kubectl apply -f -`.',
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
          `note: without --conversion-webhook the API server converts ${kindsNeedingConversion().join(', ')} by changing apiVersion only, ` +
            'which is wrong where fields moved between versions; install the webhook in clusters that use older versions\n',
        );
      }
      const crds = allCrds({ conversionWebhook });
      ctx.io.stdout(opts.output === 'json' ? toJson(crds) : toYamlStream(crds));
    });
}
