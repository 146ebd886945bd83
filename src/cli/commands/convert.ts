import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { loadInput } from '../load.js';
import { formatDiagnostics, outputChunks } from '../format.js';
import { hasErrors, type Diagnostic } from '../../api/diagnostic.js';
import { convertObject } from '../../api/convert.js';
import { splitApiVersion } from '../../api/object.js';
import { KINDS } from '../../api/registry.js';
import { EXIT, UsageError } from '../io.js';
import { objectLabel } from '../../api/objects.js';
import { formatPath } from '../../api/diagnostic.js';
import { normalizeHeaderForms } from '../../api/specs/headers.js';
import { inputPaths, optionalFilenameOption } from '../policy-input.js';
import type { AnyObject } from '../../api/schema.js';

export function convertCommand(ctx: CommandContext): Command {
  return new Command('convert')
    .summary('convert SMI objects to another version')
    .description(
      'Converts every SMI object of the group of --to into that version, losslessly: what the target version\n' +
        'cannot hold is kept in the smi-spec.io/conversion-source annotation and restored on the way back.\n' +
        'Other documents pass through unchanged. Nothing is printed if any input has errors (exit 1).\n' +
        'Header filters keep the form they were written in (the spec\'s map, or the list of maps OSM and the\n' +
        'smi-sdk-go CRD store) unless --normalize-headers asks for the map form.',
    )
    .argument('[path...]', 'files or folders of YAML/JSON; - for stdin')
    .addOption(optionalFilenameOption())
    .option('--to <apiVersion>', 'target apiVersion, e.g. split.smi-spec.io/v1alpha1; repeat (or separate with commas) for several groups', (value: string, previous: string[] = []) => [...previous, ...value.split(',').filter(Boolean)])
    .option('--normalize-headers', 'rewrite list-form header filters ([{name: regex}, …]) as the spec\'s map ({name: regex, …}); refused where a header is named twice')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action(async (args: string[], opts: { filename?: string[]; to?: string[]; normalizeHeaders?: boolean; output: 'yaml' | 'json' }) => {
      const paths = inputPaths(args, opts.filename, 'smi convert');
      if (opts.to === undefined && !opts.normalizeHeaders) throw new UsageError('say what to convert to: --to APIVERSION, --normalize-headers, or both');
      const targets = new Map<string, string>();
      for (const to of opts.to ?? []) {
        const { group, version } = splitApiVersion(to);
        const versions = KINDS.filter((k) => k.group === group).flatMap((k) => k.versions.map((v) => v.version));
        if (versions.length === 0) throw new UsageError(`--to ${to}: "${group}" is not an SMI API group`);
        if (!versions.includes(version)) throw new UsageError(`--to ${to}: ${group} has no version "${version}" (versions: ${[...new Set(versions)].join(', ')})`);
        targets.set(group, to);
      }
      // Objects are converted where they stand: one that names no namespace is written back without one.
      const input = await loadInput(ctx, paths, false, 'default');
      const diagnostics: Diagnostic[] = [...input.diagnostics];
      const converted = new Map<unknown, unknown>();
      for (const o of input.smi) {
        const to = targets.get(o.def.group);
        if (to === undefined) continue;
        const where = { file: o.origin.file, line: o.origin.line, column: o.origin.column, path: '', object: objectLabel(o) };
        const toVersion = splitApiVersion(to).version;
        if (!o.def.versions.some((v) => v.version === toVersion)) {
          // A kind born later than the target version (UDPRoute, IdentityBinding) stays as it is.
          diagnostics.push({ severity: 'warning', code: 'SMI_CONVERT_KIND_LACKS_VERSION', ...where,
            message: `${o.def.kind} has no version ${toVersion} (it exists in ${o.def.versions.map((v) => v.version).join(', ')}); left as ${o.object.apiVersion}` });
          continue;
        }
        const result = convertObject(o.object, to);
        if (!result.ok) {
          diagnostics.push({ severity: 'error', code: result.code, message: result.message, ...where });
          continue;
        }
        for (const loss of result.value.losses) {
          diagnostics.push({
            severity: 'warning', code: 'SMI_CONVERSION_LOSSY', ...where,
            message: `${to} cannot hold ${loss}; smi keeps it in the smi-spec.io/conversion-source annotation, but other readers of ${to} will not see it`,
          });
        }
        converted.set(o.object, result.value.object);
      }
      if (opts.normalizeHeaders) {
        for (const o of input.smi.filter((x) => x.def.kind === 'HTTPRouteGroup')) {
          const current = (converted.get(o.object) ?? o.object) as AnyObject;
          const { object, unmappable } = normalizeHeaderForms(current);
          // Positions come from the document as written (same matches, perhaps another version's layout).
          for (const u of unmappable.length > 0 ? normalizeHeaderForms(o.object).unmappable : []) {
            const loc = o.origin.locate(u.path);
            diagnostics.push({
              severity: 'error', code: 'SMI_HEADERS_NOT_NORMALIZABLE', file: loc.file ?? o.origin.file, line: loc.line, column: loc.column,
              path: formatPath(u.path), object: objectLabel(o),
              message: `header ${u.names.map((n) => `"${n}"`).join(', ')} is named more than once in this list, and a map holds each name once: both regexes must match, which one map entry cannot say. Keep the list form (drop --normalize-headers) or merge the regexes by hand`,
            });
          }
          converted.set(o.object, object);
        }
      }
      // A conversion annotation's problems concern policy, not conversion, which carries the annotation
      // as it is (and converting up to the version that shows a hidden grant is how to fix one): said, not blocking.
      // --normalize-headers is the answer to the list form's warning: it is not repeated to the one following it.
      const told = diagnostics
        .filter((d) => !(opts.normalizeHeaders && d.code === 'SMI_HEADERS_LIST_FORM'))
        .map((d) => (d.severity === 'error' && d.code.startsWith('SMI_CONVERSION_ANNOTATION_') ? { ...d, severity: 'warning' as const } : d));
      ctx.io.stderr(formatDiagnostics(told.filter((d) => d.severity !== 'info')));
      if (hasErrors(told)) {
        ctx.exitCode = EXIT.failed;
        return;
      }
      // Documents keep their input order; SMI objects are swapped for their converted form.
      const ordered = [...input.smi.map((o) => ({ origin: o.origin, object: o.object as unknown })), ...input.kube.map((k) => ({ origin: k.origin, object: k.object as unknown }))]
        .sort((a, b) => a.origin.file.localeCompare(b.origin.file) || a.origin.line - b.origin.line || a.origin.column - b.origin.column)
        .map((d) => converted.get(d.object) ?? d.object);
      for (const chunk of outputChunks(opts.output, ordered)) ctx.io.stdout(chunk);
      ctx.exitCode = EXIT.ok;
    });
}
