import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { loadInput } from '../load.js';
import { diagnosticsJson, formatData, formatDiagnostics, summary } from '../format.js';
import { hasErrors } from '../../api/diagnostic.js';
import { EXIT } from '../io.js';
import { UNREADABLE } from '../read-inputs.js';
import { inputPaths, optionalFilenameOption } from '../policy-input.js';

export function validateCommand(ctx: CommandContext): Command {
  return new Command('validate')
    .summary('check SMI files: schema, regexes, references')
    .description(
      'Checks every SMI object in the given files and folders (recursively; - reads stdin): schema of its version,\n' +
        'names, RE2 regexes, ports, weights, and references between objects. Non-SMI objects are read and kept.\n' +
        'Diagnostics go to stderr, the summary (or -o json) to stdout. Exit status: 0 without errors, 1 with errors\n' +
        'in the input, 2 on usage errors or input that cannot be read (a missing file).',
    )
    .argument('[path...]', 'files or folders of YAML/JSON; - for stdin')
    .addOption(optionalFilenameOption())
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'yaml']).default('text'))
    .option('--strict', 'the input is the whole picture: a missing referent is an error, not a warning', false)
    .option('-n, --namespace <ns>', 'namespace of objects that name none, as kubectl -n (default "default", with a warning per such object)')
    .option('-q, --quiet', 'print errors only', false)
    .action(async (args: string[], opts: { filename?: string[]; output: string; strict: boolean; namespace?: string; quiet: boolean }) => {
      const input = await loadInput(ctx, inputPaths(args, opts.filename, 'smi validate'), opts.strict, opts.namespace);
      const shown = opts.quiet ? input.diagnostics.filter((d) => d.severity === 'error') : input.diagnostics;
      if (opts.output === 'json') ctx.io.stdout(diagnosticsJson(shown));
      else if (opts.output === 'yaml') ctx.io.stdout(formatData('yaml', JSON.parse(diagnosticsJson(shown)) as unknown));
      else {
        ctx.io.stderr(formatDiagnostics(shown));
        ctx.io.stdout(`${input.smi.length} SMI object(s) and ${input.kube.length} other object(s) in ${input.files} file(s): ${summary(input.diagnostics)}\n`);
      }
      ctx.exitCode = input.diagnostics.some((d) => UNREADABLE.has(d.code)) ? EXIT.usage : hasErrors(input.diagnostics) ? EXIT.failed : EXIT.ok;
    });
}
