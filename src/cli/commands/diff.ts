import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { accessModeOption, collect, filenameOption, loadModel, scopeOption } from '../policy-input.js';
import { addTranslateOptions, requireTarget, translateOptions, type TranslateFlags as MeshFlags } from '../mesh-options.js';
import { accessProbes, routeProbes } from '../../policy/probes.js';
import { decide } from '../../policy/decide.js';
import { route } from '../../policy/route.js';
import { workloadsOf } from '../../policy/inventory.js';
import type { AccessMode } from '../../policy/model.js';
import type { AccessRequest, RouteRequest } from '../../policy/request.js';
import { table } from '../table.js';
import { EXIT, UsageError } from '../io.js';

function describeAccess(r: AccessRequest): string {
  const from = r.source === 'unauthenticated' ? 'unauthenticated' : `${r.source.namespace}/${r.source.name}`;
  const what = r.http ? `${r.http.method} ${r.http.path}${[...r.http.headers].map(([k, v]) => ` ${k}=${v}`).join('')}` : r.protocol;
  return `${from} → ${r.destination.namespace}/${r.destination.name}:${r.port ?? '*'} ${what}`;
}

function describeRoute(r: RouteRequest): string {
  const what = r.http ? `${r.http.method} ${r.http.path}${[...r.http.headers].map(([k, v]) => ` ${k}=${v}`).join('')}` : r.protocol;
  return `${r.service.namespace}/${r.service.name}:${r.port ?? '*'} ${what}`;
}

const shareText = (backends: readonly { service: string; share: number }[]) => backends.map((b) => `${b.service} ${(b.share * 100).toFixed(1)}%`).join(', ');

export function diffCommand(ctx: CommandContext): Command {
  return addTranslateOptions(new Command('diff'))
    .summary('requests on which two meshes (or a mesh and SMI) decide differently')
    .description(
      'Translates the policy for each --mesh, evaluates both on a set of telling requests derived from the policy\n' +
        '(every caller against every destination, on the ports, paths, methods and headers its rules name, and just\n' +
        'outside them), and lists where they differ. Use --mesh smi for the reference semantics.\n' +
        'Exit status: 0 no difference, 1 differences, 2 usage or input error.',
    )
    .addOption(filenameOption())
    .addOption(new Option('--mesh <mesh>', 'a mesh to compare, twice (smi = the reference semantics)').argParser(collect).makeOptionMandatory())
    .addOption(accessModeOption())
    .addOption(scopeOption())
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: MeshFlags & { filename: string[]; mesh: string[]; accessMode: AccessMode; namespace?: string[]; output: 'text' | 'json' }) => {
      if (opts.mesh.length !== 2) throw new UsageError('give --mesh exactly twice, e.g. --mesh istio --mesh linkerd (or --mesh smi)');
      const model = await loadModel(ctx, opts.filename, opts.accessMode, opts.namespace);
      const options = translateOptions(opts);
      const sides = opts.mesh.map((name) => {
        if (name === 'smi') {
          return { name, access: (r: AccessRequest) => (decide(model, r).allowed ? 'ALLOW' : 'DENY'), route: (r: RouteRequest) => route(model, r).backends };
        }
        const target = requireTarget(name);
        const { resources } = target.translate(model, options);
        return {
          name,
          access: (r: AccessRequest) => {
            const decisions = workloadsOf(model.inventory, r.destination.namespace, r.destination.name).map((w) => target.evaluateAccess(resources, w, r, options));
            if (decisions.some((d) => d.unanswerable !== undefined)) return 'n/a (names no port)';
            if (decisions.some((d) => !d.enforced)) return 'ALLOW (not enforced)';
            return decisions.length > 0 && decisions.every((d) => d.allowed) ? 'ALLOW' : 'DENY';
          },
          route: (r: RouteRequest) => target.evaluateRoute(resources, r, options).backends,
        };
      });
      const [a, b] = sides as [(typeof sides)[number], (typeof sides)[number]];
      const accessDiffs: { request: string; [mesh: string]: string }[] = [];
      const probes = accessProbes(model).filter((r) => workloadsOf(model.inventory, r.destination.namespace, r.destination.name).length > 0);
      for (const r of probes) {
        const [x, y] = [a.access(r), b.access(r)];
        if (x.split(' ')[0] !== y.split(' ')[0]) accessDiffs.push({ request: describeAccess(r), [a.name]: x, [b.name]: y });
      }
      const routeDiffs: { request: string; [mesh: string]: string }[] = [];
      for (const r of routeProbes(model)) {
        const [x, y] = [shareText(a.route(r)), shareText(b.route(r))];
        if (x !== y) routeDiffs.push({ request: describeRoute(r), [a.name]: x, [b.name]: y });
      }
      if (opts.output === 'json') {
        ctx.io.stdout(`${JSON.stringify({ meshes: [a.name, b.name], requestsCompared: probes.length, access: accessDiffs, routes: routeDiffs }, null, 2)}\n`);
      } else {
        ctx.io.stdout(`compared ${probes.length} access and ${routeProbes(model).length} route requests: ${accessDiffs.length + routeDiffs.length} difference(s)\n`);
        if (accessDiffs.length > 0) ctx.io.stdout(table(['REQUEST', a.name.toUpperCase(), b.name.toUpperCase()], accessDiffs.map((d) => [d.request, d[a.name] ?? '', d[b.name] ?? ''])));
        if (routeDiffs.length > 0) ctx.io.stdout(table(['ROUTE', a.name.toUpperCase(), b.name.toUpperCase()], routeDiffs.map((d) => [d.request, d[a.name] ?? '', d[b.name] ?? ''])));
      }
      ctx.exitCode = accessDiffs.length + routeDiffs.length > 0 ? EXIT.failed : EXIT.ok;
    });
}
