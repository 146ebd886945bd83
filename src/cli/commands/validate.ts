import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { loadInput } from '../load.js';
import { diagnosticsJson, formatDiagnostics, summary } from '../format.js';
import { hasErrors } from '../../api/diagnostic.js';
import { EXIT } from '../io.js';

export function validateCommand(ctx: CommandContext): Command {
  return new Command('validate')
    .summary('check SMI files: schema, regexes, references')
    .description(
      'Checks every SMI object in the given files and folders (recursively; - reads stdin): schema of its version,\n' +
        'names, RE2 regexes, ports, weights, and references between objects. Non-SMI objects are read and kept.\n' +
        'Exit status: 0 without errors, 1 with errors, 2 on usage errors.',
    )
    .argument('<path...>', 'files or folders of YAML/JSON; - for stdin')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--strict', 'the input is the whole picture: a missing referent is an error, not a warning', false)
    .option('-n, --namespace <ns>', 'namespace of objects that name none', 'default')
    .option('-q, --quiet', 'print errors only', false)
    .action(async (paths: string[], opts: { output: string; strict: boolean; namespace: string; quiet: boolean }) => {
      const input = await loadInput(ctx, paths, opts.strict, opts.namespace);
      const shown = opts.quiet ? input.diagnostics.filter((d) => d.severity === 'error') : input.diagnostics;
      if (opts.output === 'json') ctx.io.stdout(diagnosticsJson(shown));
      else {
        ctx.io.stdout(formatDiagnostics(shown));
        ctx.io.stderr(`${input.smi.length} SMI object(s) and ${input.kube.length} other object(s) in ${input.files} file(s): ${summary(input.diagnostics)}\n`);
      }
      ctx.exitCode = hasErrors(input.diagnostics) ? EXIT.failed : EXIT.ok;
    });
}
