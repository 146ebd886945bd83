import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { accessModeOption, collect, loadModel, parseNamespacedName, scopeOption, namespaceOption, namespaceOf } from '../policy-input.js';
import { requireIdentity } from '../known-names.js';
import { targetNames } from '../../targets/registry.js';
import { loadInput } from '../load.js';
import { formatDiagnostics, formatData } from '../format.js';
import { hasErrors } from '../../api/diagnostic.js';
import { loadKubeConfig } from '../../kube/config.js';
import { livePlan } from '../../controller/live.js';
import { describeScope } from '../../policy/scope.js';
import { addTranslateOptions, requireTarget, requireTargets, translateOptions, type TranslateFlags as MeshFlags } from '../mesh-options.js';
import { probeDestinationCount, probesByDestination, routeProbes, type ProbeOptions } from '../../policy/probes.js';
import { Progress } from '../progress.js';
import { identityKey, type Identity } from '../../policy/model.js';
import type { Protocol } from '../../policy/request.js';
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

/** Up to this many identities, diff asks every caller about every destination by default. */
const AUTO_ALL_MAX = 50;

const shareText = (backends: readonly { service: string; share: number }[]) => backends.map((b) => `${b.service} ${(b.share * 100).toFixed(1)}%`).join(', ');

export function diffCommand(ctx: CommandContext): Command {
  return addTranslateOptions(new Command('diff'))
    .summary('requests on which two meshes (or a mesh and SMI) decide differently; or, with --live, what smi would change on a cluster')
    .description(
      'Translates the policy for each --mesh, evaluates both on a set of telling requests derived from the policy ' +
        '(callers against every destination — every caller, or with many identities the telling ones: see --callers — on the ports, paths, methods and headers its rules name, and just ' +
        'outside them), and lists where they differ. Use --mesh smi for the reference semantics.\n\n' +
        'With --live and one --mesh: compares the mesh resources smi wrote on the cluster with what it would write ' +
        'now, from the cluster\'s SMI objects (or from -f files, to preview a new policy): each create, update ' +
        '(which parts) and delete, without writing anything.\n\n' +
        'Exit status: 0 no difference, 1 differences, 2 usage or input error.',
    )
    .addOption(new Option('-f, --filename <path>', 'SMI and inventory YAML/JSON: a file, a folder, or - (repeatable; optional with --live)').argParser(collect))
    .addOption(new Option('--mesh <mesh>', 'a mesh to compare, twice (smi = the reference semantics); once with --live').argParser(collect).makeOptionMandatory())
    .option('--live', 'compare the cluster\'s live mesh resources with what smi would write', false)
    .option('--kubeconfig <file>', 'kubeconfig file (with --live)')
    .addOption(accessModeOption())
    .addOption(namespaceOption())
    .addOption(scopeOption())
    .addOption(new Option('--protocol <protocol>', 'only requests of this protocol').choices(['http', 'tcp', 'udp']))
    .addOption(new Option('--callers <which>', `which callers each destination is asked about: all (every identity: quadratic), telling (those SMI grants, one other from each namespace in play, one from elsewhere, unauthenticated: linear), auto (all up to ${AUTO_ALL_MAX} identities, telling above, said on stderr)`).choices(['auto', 'all', 'telling']).default('auto'))
    .option('--from <ns/sa>', 'only requests from this caller (or "unauthenticated")')
    .option('--to <ns/sa>', 'only requests to this destination')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'yaml']).default('text'))
    .action(async (opts: MeshFlags & { filename?: string[]; mesh: string[]; accessMode: AccessMode; namespace?: string[]; scope?: string[]; output: 'text' | 'json' | 'yaml'; callers: 'auto' | 'all' | 'telling'; live: boolean; kubeconfig?: string; protocol?: Protocol; from?: string; to?: string }) => {
      if (opts.live) return liveDiff(ctx, opts);
      if (opts.kubeconfig) throw new UsageError('--kubeconfig applies to --live only');
      if (!opts.filename) throw new UsageError('give the policy with -f PATH (or compare a cluster with --live)');
      if (opts.mesh.length !== 2) throw new UsageError(`give --mesh exactly twice, e.g. --mesh ${targetNames()[0] ?? 'A'} --mesh ${targetNames()[1] ?? 'B'} (or --mesh smi)`);
      for (const [flag, value] of [['--from', opts.from], ['--to', opts.to]] as const) {
        if (value !== undefined && value !== 'unauthenticated' && !/^[^/\s]+\/[^/\s]+$/.test(value)) throw new UsageError(`${flag} ${value}: give NAMESPACE/SERVICEACCOUNT${flag === '--from' ? ' or unauthenticated' : ''}`);
      }
      const model = await loadModel(ctx, opts.filename, opts.accessMode, opts);
      // A filter naming nothing the input holds would report "no differences" about nothing.
      if (opts.from !== undefined && opts.from !== 'unauthenticated') requireIdentity(model, '--from', parseNamespacedName('--from', opts.from));
      if (opts.to !== undefined) requireIdentity(model, '--to', parseNamespacedName('--to', opts.to));
      // Each mesh with the flags that apply to it (--fence to the sides that have one: istio --fence against cilium compares like with like).
      const meshes = new Map(requireTargets(opts.mesh.filter((n) => n !== 'smi'), opts).map((m) => [m.target.name, m]));
      const sides = opts.mesh.map((name) => {
        if (name === 'smi') {
          return { name, access: (r: AccessRequest) => (decide(model, r).allowed ? 'ALLOW' : 'DENY'), route: (r: RouteRequest) => route(model, r).backends };
        }
        const { target, options: sideOptions } = meshes.get(name)!;
        const { resources } = target.translate(model, sideOptions);
        // Requests come a destination at a time: its workloads are looked up once, not per request.
        let last: { destination: Identity; workloads: ReturnType<typeof workloadsOf> } | undefined;
        const workloads = (d: Identity) => (last?.destination === d ? last.workloads : (last = { destination: d, workloads: workloadsOf(model.inventory, d.namespace, d.name) }).workloads);
        return {
          name,
          access: (r: AccessRequest) => {
            const decisions = workloads(r.destination).map((w) => target.evaluateAccess(resources, w, r, sideOptions, { inventory: model.inventory }));
            if (decisions.some((d) => d.unanswerable !== undefined)) return 'n/a (names no port)';
            if (decisions.some((d) => !d.enforced)) return 'ALLOW (not enforced)';
            return decisions.length > 0 && decisions.every((d) => d.allowed) ? 'ALLOW' : 'DENY';
          },
          route: (r: RouteRequest) => target.evaluateRoute(resources, r, sideOptions).backends,
        };
      });
      const [a, b] = sides as [(typeof sides)[number], (typeof sides)[number]];
      const callerKey = (c: AccessRequest['source']) => (c === 'unauthenticated' ? c : identityKey(c));
      const wanted = (r: AccessRequest) => (opts.protocol === undefined || r.protocol === opts.protocol) && (opts.from === undefined || callerKey(r.source) === opts.from);
      const accessDiffs: { request: string; [mesh: string]: string }[] = [];
      const pairs: { source: string; destination: string; requests: number; differ: number; example: { request: string; [mesh: string]: string } }[] = [];
      let compared = 0;
      let differing = 0;
      let pairCount = 0;
      const text = opts.output === 'text';
      if (text) ctx.io.stdout(`differences between ${a.name} and ${b.name}, by caller and destination (one example each):\n`);
      // One destination at a time: its rows are written as soon as they are known, and nothing grows with the whole policy but the counts.
      const callers = opts.callers === 'auto' ? (model.identities.length <= AUTO_ALL_MAX ? 'all' : 'telling') : opts.callers;
      if (opts.callers === 'auto' && callers === 'telling' && opts.from === undefined) {
        ctx.io.stderr(`note: ${model.identities.length.toLocaleString('en')} identities: each destination is asked about the telling callers (those SMI grants, one other from each namespace in play, one from elsewhere, unauthenticated); --callers all asks every caller (quadratic)\n`);
      }
      const source = opts.from === undefined ? undefined : opts.from === 'unauthenticated' ? 'unauthenticated' as const : parseNamespacedName('--from', opts.from);
      const probeOptions: ProbeOptions = {
        callers,
        ...(source !== undefined ? { source } : {}),
        destinations: (d: Identity) => (opts.to === undefined || identityKey(d) === opts.to) && workloadsOf(model.inventory, d.namespace, d.name).length > 0,
      };
      const progress = new Progress(ctx.io);
      const total = probeDestinationCount(model, probeOptions);
      progress.step(`compared ${a.name} and ${b.name} on ${total.toLocaleString('en')} destinations`);
      let visited = 0;
      for (const [destination, all] of probesByDestination(model, probeOptions)) {
        progress.note(`compared ${(++visited).toLocaleString('en')} of ${total.toLocaleString('en')} destinations (${compared.toLocaleString('en')} requests)`);
        const bySource = new Map<string, { requests: number; differ: number; example?: { request: string; [mesh: string]: string } }>();
        for (const r of all) {
          if (!wanted(r)) continue;
          compared++;
          const key = callerKey(r.source);
          const group = bySource.get(key) ?? { requests: 0, differ: 0 };
          bySource.set(key, group);
          group.requests++;
          const [x, y] = [a.access(r), b.access(r)];
          if (x.split(' ')[0] === y.split(' ')[0]) continue;
          const row = { request: describeAccess(r), [a.name]: x, [b.name]: y };
          group.differ++;
          group.example ??= row;
          if (!text) accessDiffs.push(row);
        }
        for (const [source, g] of [...bySource].sort(([p], [q]) => p.localeCompare(q))) {
          if (!g.example) continue;
          const pair = { source, destination: identityKey(destination), requests: g.requests, differ: g.differ, example: g.example };
          if (text) ctx.io.stdout(`${source} → ${pair.destination}: ${g.differ} of ${g.requests} request(s) differ; e.g. ${g.example.request}: ${a.name} ${g.example[a.name]}, ${b.name} ${g.example[b.name]}\n`);
          else pairs.push(pair);
          differing += g.differ;
          pairCount++;
        }
      }
      progress.done();
      const routeDiffs: { request: string; [mesh: string]: string }[] = [];
      const routes = opts.protocol === 'udp' || opts.from !== undefined ? [] : routeProbes(model).filter((r) => (opts.to === undefined) && (opts.protocol === undefined || r.protocol === opts.protocol));
      for (const r of routes) {
        const [x, y] = [shareText(a.route(r)), shareText(b.route(r))];
        if (x !== y) routeDiffs.push({ request: describeRoute(r), [a.name]: x, [b.name]: y });
      }
      if (opts.output !== 'text') {
        ctx.io.stdout(formatData(opts.output, { meshes: [a.name, b.name], requestsCompared: compared, pairs, access: accessDiffs, routes: routeDiffs }));
      } else {
        if (routeDiffs.length > 0) ctx.io.stdout(table(['ROUTE', a.name.toUpperCase(), b.name.toUpperCase()], routeDiffs.map((d) => [d.request, d[a.name] ?? '', d[b.name] ?? ''])));
        ctx.io.stdout(`compared ${compared} access and ${routes.length} route requests: ${differing + routeDiffs.length} difference(s)${pairCount > 0 ? ` in ${pairCount} caller/destination pair(s)` : ''}\n`);
      }
      ctx.exitCode = differing + routeDiffs.length > 0 ? EXIT.failed : EXIT.ok;
    });
}

/** `smi diff --live`: the controller's plan for the cluster as it is now, written nowhere. */
async function liveDiff(ctx: CommandContext, opts: MeshFlags & { filename?: string[]; mesh: string[]; accessMode: AccessMode; namespace?: string[]; scope?: string[]; output: 'text' | 'json' | 'yaml'; kubeconfig?: string }): Promise<void> {
  if (opts.mesh.length !== 1 || opts.mesh[0] === 'smi') throw new UsageError(`--live compares one mesh's live resources with what smi would write: give --mesh once, e.g. --mesh ${targetNames()[0] ?? 'M'}`);
  if (!opts.filename && opts.namespace) throw new UsageError('-n places objects in -f files that name no namespace; without -f, --live reads the cluster, whose objects name theirs (to limit the namespaces, use --scope)');
  const target = requireTarget(opts.mesh[0]!, opts);
  let from: { smi: Record<string, unknown>[]; inventory: Record<string, unknown>[] } | undefined;
  if (opts.filename) {
    const input = await loadInput(ctx, opts.filename, false, namespaceOf(opts));
    const shown = input.diagnostics.filter((d) => d.severity !== 'info');
    if (shown.length > 0) ctx.io.stderr(formatDiagnostics(shown));
    if (hasErrors(input.diagnostics)) throw new UsageError('the input has errors (above); fix them or check them with `smi validate`');
    from = { smi: input.smi.map((o) => o.object), inventory: input.kube.map((k) => k.object) };
  }
  const { plan, desired } = await livePlan(loadKubeConfig(opts.kubeconfig), {
    target, translate: translateOptions(opts), mode: opts.accessMode,
    ...(opts.scope ? { namespaces: opts.scope } : {}),
    ...(from ? { from } : {}),
  });
  // What the translation could not carry (a caller losing its access): shown with the preview, never hidden by it.
  const problems = [...desired.problems].sort(([a], [b]) => a.localeCompare(b)).flatMap(([object, ds]) => ds.map((d) => ({ object, severity: d.severity, code: d.code, message: d.message })));
  if (opts.output !== 'text') {
    ctx.io.stdout(formatData(opts.output, { mesh: target.name, scope: [...desired.scope.namespaces].sort(), changes: plan.changes, problems }));
  } else {
    ctx.io.stderr(`${describeScope(desired.scope)}\n`);
    for (const p of problems) ctx.io.stderr(`${p.severity} ${p.code} (${p.object}): ${p.message}\n`);
    ctx.io.stdout(`${target.name}: ${plan.changes.length} change(s) between the cluster and what smi would write${from ? ` for ${opts.filename!.join(', ')}` : ''}\n`);
    const sign = { create: '+', update: '~', delete: '-' } as const;
    for (const c of plan.changes) ctx.io.stdout(`${sign[c.verb]} ${c.verb} ${c.kind} ${c.namespace}/${c.name}${c.fields.length > 0 ? ` (${c.fields.join(', ')})` : ''}\n`);
  }
  ctx.exitCode = plan.changes.length > 0 ? EXIT.failed : EXIT.ok;
}
