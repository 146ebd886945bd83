import { describeScope } from '../../policy/scope.js';
import { Command, Option } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandContext } from '../context.js';
import { accessModeOption, carriedProblem, filenameOption, loadModel, scopeOption, namespaceOption } from '../policy-input.js';
import { addTranslateOptions, meshOption, requireTarget, translateOptions, type TranslateFlags as MeshFlags } from '../mesh-options.js';
import { formatDiagnostics, outputChunks, summary } from '../format.js';
import { toYamlStream } from '../../api/yaml-write.js';
import type { AccessMode } from '../../policy/model.js';
import { hasErrors } from '../../api/diagnostic.js';
import { EXIT } from '../io.js';
import { Progress } from '../progress.js';

interface TranslateFlags extends MeshFlags {
  filename: string[];
  mesh: string;
  trustDomain: string;
  clusterDomain: string;
  accessMode: AccessMode;
  namespace?: string[];
  scope?: string[];
  strict: boolean;
  output: 'yaml' | 'json';
  outDir?: string;
}

export function translateCommand(ctx: CommandContext): Command {
  return addTranslateOptions(new Command('translate'))
    .summary('SMI → the resources of a mesh')
    .description(
      'Translates the SMI policy into the chosen mesh\'s own resources. Resources go to stdout (or --out-dir),\n' +
        'diagnostics to stderr: an error means something SMI grants could not be expressed and was left out\n' +
        '(the mesh allows less, never more). Exit status: 0, 1 if any error (with --strict: any warning), 2 usage.',
    )
    .addOption(filenameOption())
    .addOption(meshOption())
    .addOption(accessModeOption())
    .addOption(namespaceOption())
    .addOption(scopeOption())
    .option('--strict', 'treat warnings (rounded weights, narrowed rules) as errors', false)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .option('--out-dir <dir>', 'write one file per resource: <dir>/<namespace>/<kind>-<name>.yaml')
    .action(async (opts: TranslateFlags) => {
      const target = requireTarget(opts.mesh, opts);
      const progress = new Progress(ctx.io);
      const model = await loadModel(ctx, opts.filename, opts.accessMode, opts, progress);
      ctx.io.stderr(`${describeScope(model.scope)}\n`);
      progress.step(`translated to ${target.name}`);
      const { resources, diagnostics } = target.translate(model, translateOptions(opts));
      progress.relabel(`translated to ${target.name}: ${resources.length.toLocaleString('en')} resources`);
      progress.step(`wrote ${resources.length.toLocaleString('en')} resources as ${opts.output.toUpperCase()}`);
      // The OSM policy the model could not carry was printed while loading; it still counts here.
      const all = [...model.diagnostics.filter(carriedProblem), ...diagnostics];
      const shown = opts.strict ? diagnostics.map((d) => (d.severity === 'warning' ? { ...d, severity: 'error' as const } : d)) : diagnostics;
      if (opts.outDir) {
        for (const r of resources) {
          const dir = join(opts.outDir, r.metadata.namespace ?? '_cluster');
          await mkdir(dir, { recursive: true });
          const file = join(dir, `${r.kind.toLowerCase()}-${r.metadata.name}.${opts.output}`);
          await writeFile(file, opts.output === 'json' ? `${JSON.stringify(r, null, 2)}\n` : toYamlStream([r]));
        }
        ctx.io.stderr(`wrote ${resources.length} resource(s) to ${opts.outDir}\n`);
      } else {
        for (const chunk of outputChunks(opts.output, resources)) ctx.io.stdout(chunk);
      }
      progress.done();
      ctx.io.stderr(formatDiagnostics(shown.filter((d) => d.severity !== 'info')));
      const counted = opts.strict ? all.map((d) => (d.severity === 'warning' ? { ...d, severity: 'error' as const } : d)) : all;
      ctx.io.stderr(`${target.name}: ${resources.length} resource(s); ${summary(counted)}\n`);
      ctx.exitCode = hasErrors(counted) ? EXIT.failed : EXIT.ok;
    });
}
