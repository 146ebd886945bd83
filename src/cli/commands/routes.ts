/** `smi route-groups`: HTTPRouteGroups from the API descriptions people already have. */
import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type protobuf from 'protobufjs';
import { parse as parseYaml } from 'yaml';
import type { CommandContext } from '../context.js';
import { formatDiagnostics, toJson } from '../format.js';
import { toYamlStream } from '../../api/yaml-write.js';
import { EXIT, UsageError } from '../io.js';
import { operationsOf, type Operation } from '../../routes/openapi.js';
import { rpcOperations } from '../../routes/proto.js';
import { auditRouteGroups, type AuditedMatch, type Finding } from '../../routes/audit.js';
import { loadInput } from '../load.js';
import { table } from '../table.js';
import { hasErrors } from '../../api/diagnostic.js';
import { routeGroup, type GeneratedGroup, type MatchNames } from '../../routes/route-group.js';
import type { BaseChoice } from '../../routes/openapi.js';
import { labelProblem, subdomainProblem } from '../../api/names.js';
import { collect, filenameOption } from '../policy-input.js';

interface GroupFlags { name: string; namespace: string; output: 'yaml' | 'json' }
interface BaseFlags { server?: string; basePath?: string }
interface FromOpenApiFlags extends GroupFlags, BaseFlags { matchNames: MatchNames }

/** What both generators take: the group's name and namespace, and the output format. */
function groupOptions(command: Command): Command {
  return command
    .requiredOption('--name <name>', 'name of the HTTPRouteGroup')
    .requiredOption('-n, --namespace <ns>', 'namespace of the HTTPRouteGroup')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'));
}

function baseOptions(command: Command): Command {
  return command
    .option('--server <url>', 'OpenAPI 3: the servers[].url to use (default: all of them)')
    .option('--base-path <path>', 'use this base path instead of the description\'s servers or basePath');
}

function baseChoice(opts: BaseFlags): BaseChoice {
  if (opts.server !== undefined && opts.basePath !== undefined) throw new UsageError('--server and --base-path are exclusive');
  if (opts.basePath !== undefined && !opts.basePath.startsWith('/')) throw new UsageError(`--base-path ${opts.basePath}: starts with /`);
  return { ...(opts.server !== undefined ? { server: opts.server } : {}), ...(opts.basePath !== undefined ? { basePath: opts.basePath } : {}) };
}

function checkNames(opts: GroupFlags): void {
  const namespace = labelProblem(opts.namespace);
  if (namespace) throw new UsageError(`--namespace ${opts.namespace}: ${namespace}`);
  const name = subdomainProblem(opts.name);
  if (name) throw new UsageError(`--name ${opts.name}: ${name}`);
}

/** Prints the group and its problems; exit 1 when an operation was left out. */
function emit(ctx: CommandContext, source: string, generated: GeneratedGroup, output: GroupFlags['output']): void {
  for (const p of generated.problems) ctx.io.stderr(`${p.severity}: ${source}: ${p.where}: ${p.message}\n`);
  ctx.io.stdout(output === 'json' ? toJson([generated.group]) : toYamlStream([generated.group]));
  ctx.exitCode = generated.problems.some((p) => p.severity === 'error') ? EXIT.failed : EXIT.ok;
}

/** The description with every $ref resolved (files relative to the description's own). */
async function readDescription(ctx: CommandContext, path: string): Promise<unknown> {
  try {
    // Loaded here, not with the CLI: a long-running `smi controller` need not hold it.
    const { default: $RefParser } = await import('@apidevtools/json-schema-ref-parser');
    if (path === '-') return await $RefParser.dereference(parseYaml((await ctx.io.readStdin()).toString('utf8')) as object);
    return await $RefParser.dereference(resolve(path));
  } catch (e) {
    throw new UsageError(`${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function fromOpenApi(ctx: CommandContext): Command {
  return baseOptions(groupOptions(new Command('from-openapi')))
    .summary('an HTTPRouteGroup from an OpenAPI 3.0/3.1 or Swagger 2.0 description')
    .description(
      'Prints one HTTPRouteGroup (specs.smi-spec.io/v1alpha4) with a match per operation: its method, and a pathRegex\n' +
        'that matches exactly the paths its template describes under the server\'s base path (SMI anchors pathRegex at\n' +
        'the start; the regex ends with $). A path parameter is one non-empty segment, digits for an integer, the listed\n' +
        'values for an enum. $refs are resolved, in the file and across files. Operations that cannot be said exactly\n' +
        '(a path parameter in label or matrix style) are left out and reported on stderr.\n' +
        'Exit status: 0 every operation is in the group, 1 some were left out, 2 usage or input error.',
    )
    .argument('<path>', 'the description, YAML or JSON, or - for stdin')
    .addOption(new Option('--match-names <style>', 'how matches are named').choices(['operationId', 'method-path']).default('operationId'))
    .action(async (path: string, opts: FromOpenApiFlags) => {
      checkNames(opts);
      const { operations, problems } = operationsOf(await readDescription(ctx, path), baseChoice(opts));
      if (operations.length === 0) throw new UsageError(`${path}: no operation to route${problems.length > 0 ? ` (${problems.join('; ')})` : ''}`);
      for (const p of problems) ctx.io.stderr(`warning: ${path}: ${p}\n`);
      emit(ctx, path, routeGroup(operations, { name: opts.name, namespace: opts.namespace, matchNames: opts.matchNames }), opts.output);
    });
}

interface FromProtoFlags extends GroupFlags { include?: string[] }

const PROTOBUFJS_DIR = dirname(createRequire(import.meta.url).resolve('protobufjs/package.json'));

/** Parses the files, finding imports next to the importing file or under an -I directory (as protoc does). */
async function loadProto(files: readonly string[], includes: readonly string[]): Promise<protobuf.Root> {
  // Loaded here, not with the CLI: a long-running `smi controller` need not hold it.
  const { default: protobufjs } = await import('protobufjs');
  const root = new protobufjs.Root();
  root.resolvePath = (origin, target) => {
    if (isAbsolute(target)) return target;
    for (const dir of [...(origin ? [dirname(origin)] : []), ...includes.map((d) => resolve(d)), process.cwd()]) {
      if (existsSync(join(dir, target))) return join(dir, target);
    }
    // The well-known google/protobuf files (descriptor.proto among them) ship with protobufjs.
    const shipped = join(PROTOBUFJS_DIR, target);
    return existsSync(shipped) ? shipped : target;
  };
  // One at a time: protobufjs's messages give the line, not the file.
  for (const file of files) {
    try {
      root.loadSync(file, { keepCase: true });
    } catch (e) {
      throw new Error(`${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  root.resolveAll();
  return root;
}

function fromProto(ctx: CommandContext): Command {
  return groupOptions(new Command('from-proto'))
    .summary('an HTTPRouteGroup from gRPC services in .proto files')
    .description(
      'Prints one HTTPRouteGroup (specs.smi-spec.io/v1alpha4) with a match per RPC of the services the files define\n' +
        '(not of the files they import): POST and the exact path gRPC uses, /<package>.<Service>/<Method>$; streaming\n' +
        'RPCs the same way. Imports are found next to the importing file, then under each -I directory.\n' +
        'Exit status: 0 printed, 2 usage or input error (a parse error names the file and line).',
    )
    .argument('<files...>', '.proto files')
    .option('-I, --include <dir>', 'a directory to find imports in (repeatable)', collect)
    .action(async (files: string[], opts: FromProtoFlags) => {
      checkNames(opts);
      const paths = files.map((f) => resolve(f));
      for (const [i, p] of paths.entries()) if (!existsSync(p)) throw new UsageError(`${files[i]}: no such file`);
      let operations: Operation[];
      try {
        operations = rpcOperations(await loadProto(paths, opts.include ?? []), paths);
      } catch (e) {
        throw new UsageError(e instanceof Error ? e.message : String(e));
      }
      if (operations.length === 0) throw new UsageError(`${files.join(', ')}: no service with an RPC`);
      emit(ctx, files.join(', '), routeGroup(operations, { name: opts.name, namespace: opts.namespace }), opts.output);
    });
}

interface CheckFlags extends BaseFlags { openapi: string; filename: string[]; output: 'text' | 'json' }

function check(ctx: CommandContext): Command {
  return baseOptions(new Command('check'))
    .summary('audit HTTPRouteGroups against an OpenAPI or Swagger description')
    .description(
      'Reports, for the HTTPRouteGroups in the files: operations of the description no match covers, matches that\n' +
        'cover no operation, and matches wider than the operations (with a request that shows it: a path one\n' +
        'segment or one character past an operation\'s, its parent, or another method). Matches with header\n' +
        'conditions are not judged. Exit status: 0 nothing found, 1 findings, 2 usage or input error.',
    )
    .requiredOption('--openapi <path>', 'the description, YAML or JSON')
    .addOption(filenameOption())
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: CheckFlags) => {
      const choice = baseChoice(opts);
      const input = await loadInput(ctx, opts.filename);
      if (hasErrors(input.diagnostics)) {
        ctx.io.stderr(formatDiagnostics(input.diagnostics.filter((d) => d.severity === 'error')));
        throw new UsageError('the SMI input has errors (above)');
      }
      const matches: AuditedMatch[] = input.valid.filter((o) => o.def.kind === 'HTTPRouteGroup').flatMap((o) =>
        ((o.hub.spec as { matches?: AuditedMatch['match'][] } | undefined)?.matches ?? []).map((match) => ({
          group: { kind: 'HTTPRouteGroup', namespace: o.namespace, name: o.name, file: o.origin.file, line: o.origin.line },
          match,
        })));
      if (matches.length === 0) throw new UsageError(`${opts.filename.join(', ')}: no HTTPRouteGroup match to check`);
      const { operations, problems } = operationsOf(await readDescription(ctx, opts.openapi), choice);
      for (const p of problems) ctx.io.stderr(`warning: ${opts.openapi}: ${p}\n`);
      const { findings, notJudged } = auditRouteGroups(matches, operations);
      if (notJudged.length > 0) ctx.io.stderr(`note: not judged, their header conditions narrow what no description says: ${notJudged.join(', ')}\n`);
      if (opts.output === 'json') ctx.io.stdout(`${JSON.stringify({ findings, notJudged }, null, 2)}\n`);
      else if (findings.length === 0) ctx.io.stdout(`${matches.length} match(es) against ${operations.length} operation(s): every operation covered, no match unused or wider\n`);
      else ctx.io.stdout(table(['FINDING', 'MATCH / OPERATION', 'WHERE', 'EXAMPLE'], findings.map(row)));
      ctx.exitCode = findings.length > 0 ? EXIT.failed : EXIT.ok;
    });
}

function row(f: Finding): string[] {
  switch (f.kind) {
    case 'uncovered-operation': return ['no match covers', f.operation, '-', f.example];
    case 'unused-match': return ['covers no operation', f.match, f.where, '-'];
    case 'wider-match': return ['wider than the operations', f.match, f.where, f.example];
  }
}

/** `smi route-groups`: HTTPRouteGroups from API descriptions (named apart from `smi route`, where traffic goes). */
export function routeGroupsCommand(ctx: CommandContext, name = 'route-groups'): Command {
  return new Command(name)
    .summary('HTTPRouteGroups from API descriptions (OpenAPI, Swagger, gRPC .proto)')
    .description('Generates HTTPRouteGroups from the API descriptions people already have, instead of hand-written regexes,\nand audits hand-written ones against them. (Not `smi route`, which says where a request to a Service goes.)')
    .addCommand(fromOpenApi(ctx))
    .addCommand(fromProto(ctx))
    .addCommand(check(ctx));
}

/** The old name, `smi routes`: hidden from help, and it says so each time it is used. */
export function routesAliasCommand(ctx: CommandContext): Command {
  return routeGroupsCommand(ctx, 'routes').hook('preAction', () => {
    ctx.io.stderr('note: `smi routes` is now `smi route-groups` (one letter away from `smi route`, which does something else); the old name still works\n');
  });
}
