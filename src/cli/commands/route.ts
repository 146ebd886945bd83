import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { requireService } from '../known-names.js';
import { collect, filenameOption, loadModel, parseHttp, parseNamespacedName, parsePort, protocolOption, scopeOption, namespaceOption } from '../policy-input.js';
import { route } from '../../policy/route.js';
import type { Protocol } from '../../policy/request.js';
import { provenanceLabel, provenanceWhere } from '../../policy/model.js';
import { table } from '../table.js';
import { formatDiagnostics, formatData } from '../format.js';
import { EXIT, UsageError } from '../io.js';
import { addTranslateOptions, meshOption, requireTarget, translateOptions, type TranslateFlags as MeshFlags } from '../mesh-options.js';

interface RouteOptions extends MeshFlags {
  namespace?: string[];
  scope?: string[];
  filename: string[];
  service: string;
  port?: string;
  protocol: Protocol;
  method?: string;
  path?: string;
  header?: string[];
  output: 'text' | 'json' | 'yaml';
  mesh?: string;
  trustDomain: string;
  clusterDomain: string;
}

export function routeCommand(ctx: CommandContext): Command {
  return addTranslateOptions(new Command('route'))
    .summary('where does a request to a service go? backends and shares')
    .description(
      'Answers from the SMI reference semantics which backends a request to a root service reaches and with\n' +
        'what share (shares sum to 1), and which TrafficSplit applied. Exit status: 0 routed, 1 when no Service\n' +
        'can take the request (the root service lacks the port), 2 usage or input error.',
    )
    .addOption(filenameOption())
    .addOption(namespaceOption())
    .addOption(scopeOption())
    .requiredOption('--service <ns/name>', 'the root service the client calls')
    .option('--port <port>', 'port of the root service (needed when it has several)')
    .addOption(protocolOption())
    .option('--method <method>', 'HTTP method (default GET)')
    .option('--path <path>', 'HTTP path (default /)')
    .option('--header <name=value>', 'HTTP header (repeatable)', collect)
    .addOption(meshOption(false))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'yaml']).default('text'))
    .action(async (opts: RouteOptions) => {
      const service = parseNamespacedName('--service', opts.service);
      let port = parsePort(opts.port);
      const http = parseHttp(opts.protocol, opts);
      const model = await loadModel(ctx, opts.filename, 'strict', opts);
      requireService(model, '--service', service);
      const root = model.inventory.services.get(`${service.namespace}/${service.name}`);
      if (port === undefined && root && root.ports.length > 1) {
        throw new UsageError(`Service ${opts.service} has ports ${root.ports.map((p) => p.port).join(', ')}: say which with --port`);
      }
      if (port === undefined && root?.ports.length === 1) port = root.ports[0]?.port;
      const request = { service, protocol: opts.protocol, ...(port !== undefined ? { port } : {}), ...(http ? { http } : {}) };
      const smi = route(model, request);
      const shares = (bs: readonly { service: string; share: number }[]) => JSON.stringify([...bs].map((b) => [b.service, Math.round(b.share * 10_000)]).sort());
      let mesh: { name: string; backends: readonly { service: string; share: number }[]; reasons: readonly string[]; differs: boolean } | undefined;
      if (opts.mesh !== undefined) {
        const target = requireTarget(opts.mesh, opts);
        const options = translateOptions(opts);
        const translation = target.translate(model, options);
        const answer = target.evaluateRoute(translation.resources, request, options);
        mesh = { name: target.name, backends: answer.backends, reasons: answer.reasons, differs: shares(answer.backends) !== shares(smi.backends) };
        // What the translation said about this split or this root service, and nothing else of the policy.
        const root = `${service.namespace}/${service.name}`;
        const splitRef = smi.split ? `TrafficSplit/${smi.split.namespace}/${smi.split.name}` : undefined;
        const relevant = translation.diagnostics.filter((d) => d.severity !== 'info' && ((splitRef !== undefined && d.object === splitRef) || d.message.includes(`(${root})`) || d.message.includes(` ${root} `) || d.message.includes(` ${root}:`)));
        if (relevant.length > 0) ctx.io.stderr(formatDiagnostics(relevant));
      }
      const result = mesh ?? smi;
      if (opts.output !== 'text') {
        ctx.io.stdout(formatData(opts.output, {
          service: opts.service,
          port: port ?? null,
          split: smi.split ? { namespace: smi.split.namespace, name: smi.split.name, file: smi.split.file, line: smi.split.line } : null,
          ...(mesh ? { mesh: mesh.name, differs: mesh.differs, smi: { backends: smi.backends.map((b) => ({ service: b.service, share: b.share, ...(b.weight !== undefined ? { weight: b.weight } : {}) })) } } : {}),
          backends: result.backends.map((b) => ({ service: b.service, share: b.share, ...('weight' in b && b.weight !== undefined ? { weight: b.weight } : {}) })),
          reasons: mesh ? [`answered by evaluating the ${mesh.name} resources`, ...mesh.reasons] : smi.reasons,
        }));
      } else {
        ctx.io.stdout(smi.split ? `${provenanceLabel(smi.split)} [${provenanceWhere(smi.split)}]\n` : 'no TrafficSplit applies\n');
        if (mesh) {
          ctx.io.stdout(`${mesh.differs ? 'DIFFERS' : 'SAME'}  on ${mesh.name}; SMI says ${smi.backends.map((b) => `${b.service} ${(b.share * 100).toFixed(1)}%`).join(', ') || 'nowhere'}\n`);
          if (mesh.backends.length > 0) ctx.io.stdout(table(['BACKEND', `${mesh.name.toUpperCase()} SHARE`, 'SMI SHARE'], mesh.backends.map((b) => [b.service, `${(b.share * 100).toFixed(1)}%`, `${((smi.backends.find((x) => x.service === b.service)?.share ?? 0) * 100).toFixed(1)}%`])));
          for (const r of mesh.reasons) ctx.io.stdout(`  - ${r}\n`);
        } else {
          if (smi.backends.length > 0) {
            ctx.io.stdout(table(['BACKEND', 'WEIGHT', 'SHARE'], smi.backends.map((b) => [b.service, b.weight === undefined ? '-' : String(b.weight), `${(b.share * 100).toFixed(1)}%`])));
          }
          for (const r of smi.reasons) ctx.io.stdout(`  - ${r}\n`);
        }
      }
      ctx.exitCode = result.backends.length > 0 ? EXIT.ok : EXIT.failed;
    });
}
