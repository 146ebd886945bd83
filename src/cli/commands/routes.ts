/** `smi routes`: HTTPRouteGroups from the API descriptions people already have. */
import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import { parse as parseYaml } from 'yaml';
import $RefParser from '@apidevtools/json-schema-ref-parser';
import type { CommandContext } from '../context.js';
import { toJson, toYamlStream } from '../format.js';
import { EXIT, UsageError } from '../io.js';
import { operationsOf, type Operation } from '../../routes/openapi.js';
import { rpcOperations } from '../../routes/proto.js';
import { auditRouteGroups, type AuditedMatch, type Finding } from '../../routes/audit.js';
import { loadInput } from '../load.js';
import { formatDiagnostics } from '../format.js';
import { table } from '../table.js';
import { hasErrors } from '../../api/diagnostic.js';
import { routeGroup, type MatchNames } from '../../routes/route-group.js';

interface FromOpenApiFlags { name: string; namespace: string; server?: string; basePath?: string; matchNames: MatchNames; output: 'yaml' | 'json' }

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The description with every $ref resolved (files relative to the description's own). */
async function readDescription(ctx: CommandContext, path: string): Promise<unknown> {
  try {
    if (path === '-') return await $RefParser.dereference(parseYaml((await ctx.io.readStdin()).toString('utf8')) as object);
    return await $RefParser.dereference(resolve(path));
  } catch (e) {
    throw new UsageError(`${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function fromOpenApi(ctx: CommandContext): Command {
  return new Command('from-openapi')
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
    .requiredOption('--name <name>', 'name of the HTTPRouteGroup')
    .requiredOption('--namespace <ns>', 'namespace of the HTTPRouteGroup')
    .option('--server <url>', 'OpenAPI 3: the servers[].url to use (default: all of them)')
    .option('--base-path <path>', 'use this base path instead of the description\'s servers or basePath')
    .addOption(new Option('--match-names <style>', 'how matches are named').choices(['operationId', 'method-path']).default('operationId'))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action(async (path: string, opts: FromOpenApiFlags) => {
      checkNames(opts);
      if (opts.server !== undefined && opts.basePath !== undefined) throw new UsageError('--server and --base-path are exclusive');
      if (opts.basePath !== undefined && !opts.basePath.startsWith('/')) throw new UsageError(`--base-path ${opts.basePath}: starts with /`);
      const description = await readDescription(ctx, path);
      const { operations, problems } = operationsOf(description, { ...(opts.server !== undefined ? { server: opts.server } : {}), ...(opts.basePath !== undefined ? { basePath: opts.basePath } : {}) });
      if (operations.length === 0) throw new UsageError(`${path}: no operation to route${problems.length > 0 ? ` (${problems.join('; ')})` : ''}`);
      for (const p of problems) ctx.io.stderr(`warning: ${path}: ${p}\n`);
      const { group, problems: left } = routeGroup(operations, { name: opts.name, namespace: opts.namespace, matchNames: opts.matchNames });
      for (const p of left) ctx.io.stderr(`${p.message.startsWith('left out') ? 'error' : 'warning'}: ${path}: ${p.where}: ${p.message}\n`);
      ctx.io.stdout(opts.output === 'json' ? toJson([group]) : toYamlStream([group]));
      ctx.exitCode = left.some((p) => p.message.startsWith('left out')) ? EXIT.failed : EXIT.ok;
    });
}

interface FromProtoFlags { name: string; namespace: string; include?: string[]; output: 'yaml' | 'json' }

const PROTOBUFJS_DIR = dirname(createRequire(import.meta.url).resolve('protobufjs/package.json'));

/** Parses the files, finding imports next to the importing file or under an -I directory (as protoc does). */
function loadProto(files: readonly string[], includes: readonly string[]): protobuf.Root {
  const root = new protobuf.Root();
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
  return new Command('from-proto')
    .summary('an HTTPRouteGroup from gRPC services in .proto files')
    .description(
      'Prints one HTTPRouteGroup (specs.smi-spec.io/v1alpha4) with a match per RPC of the services the files define\n' +
        '(not of the files they import): POST and the exact path gRPC uses, /<package>.<Service>/<Method>$; streaming\n' +
        'RPCs the same way. Imports are found next to the importing file, then under each -I directory.\n' +
        'Exit status: 0 printed, 2 usage or input error (a parse error names the file and line).',
    )
    .argument('<files...>', '.proto files')
    .option('-I, --include <dir>', 'a directory to find imports in (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .requiredOption('--name <name>', 'name of the HTTPRouteGroup')
    .requiredOption('--namespace <ns>', 'namespace of the HTTPRouteGroup')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action((files: string[], opts: FromProtoFlags) => {
      checkNames(opts);
      const paths = files.map((f) => resolve(f));
      for (const [i, p] of paths.entries()) if (!existsSync(p)) throw new UsageError(`${files[i]}: no such file`);
      let operations: Operation[];
      try {
        operations = rpcOperations(loadProto(paths, opts.include ?? []), paths);
      } catch (e) {
        throw new UsageError(e instanceof Error ? e.message : String(e));
      }
      if (operations.length === 0) throw new UsageError(`${files.join(', ')}: no service with an RPC`);
      const { group, problems } = routeGroup(operations, { name: opts.name, namespace: opts.namespace });
      for (const p of problems) ctx.io.stderr(`warning: ${p.where}: ${p.message}\n`);
      ctx.io.stdout(opts.output === 'json' ? toJson([group]) : toYamlStream([group]));
    });
}

interface CheckFlags { openapi: string; filename: string[]; server?: string; basePath?: string; output: 'text' | 'json' }

function check(ctx: CommandContext): Command {
  return new Command('check')
    .summary('audit HTTPRouteGroups against an OpenAPI or Swagger description')
    .description(
      'Reports, for the HTTPRouteGroups in the files: operations of the description no match covers, matches that\n' +
        'cover no operation, and matches wider than the operations (with a request that shows it: a path one\n' +
        'segment or one character past an operation\'s, its parent, or another method). Matches with header\n' +
        'conditions are not judged. Exit status: 0 nothing found, 1 findings, 2 usage or input error.',
    )
    .requiredOption('--openapi <path>', 'the description, YAML or JSON')
    .requiredOption('-f, --filename <path>', 'files or folders with the HTTPRouteGroups (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--server <url>', 'OpenAPI 3: the servers[].url to use (default: all of them)')
    .option('--base-path <path>', 'use this base path instead of the description\'s')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: CheckFlags) => {
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
      const { operations, problems } = operationsOf(await readDescription(ctx, opts.openapi), { ...(opts.server !== undefined ? { server: opts.server } : {}), ...(opts.basePath !== undefined ? { basePath: opts.basePath } : {}) });
      for (const p of problems) ctx.io.stderr(`warning: ${opts.openapi}: ${p}\n`);
      const findings = auditRouteGroups(matches, operations);
      if (opts.output === 'json') ctx.io.stdout(`${JSON.stringify({ findings }, null, 2)}\n`);
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

function checkNames(opts: { name: string; namespace: string }): void {
  if (!DNS_LABEL.test(opts.namespace)) throw new UsageError(`--namespace ${opts.namespace}: not a namespace name`);
  if (!/^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/.test(opts.name)) throw new UsageError(`--name ${opts.name}: not a Kubernetes object name`);
}

export function routesCommand(ctx: CommandContext): Command {
  return new Command('routes')
    .summary('HTTPRouteGroups from API descriptions (OpenAPI, Swagger, gRPC .proto)')
    .description('Generates HTTPRouteGroups from the API descriptions people already have, instead of hand-written regexes.')
    .addCommand(fromOpenApi(ctx))
    .addCommand(fromProto(ctx))
    .addCommand(check(ctx));
}
