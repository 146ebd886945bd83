import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { formatData } from '../format.js';
import { requireIdentity } from '../known-names.js';
import { normalizedHttp } from '../../targets/envoy-path.js';
import { accessModeOption, collect, filenameOption, loadModel, parseHttp, parseNamespacedName, parsePort, protocolOption, scopeOption, namespaceOption } from '../policy-input.js';
import { decide } from '../../policy/decide.js';
import { UNAUTHENTICATED, type AccessRequest, type Protocol } from '../../policy/request.js';
import type { AccessMode, PolicyModel } from '../../policy/model.js';
import { identityKey, provenanceWhere } from '../../policy/model.js';
import { EXIT } from '../io.js';
import { workloadsOf } from '../../policy/inventory.js';
import { addTranslateOptions, meshOption, requireTarget, translateOptions, type TranslateFlags as MeshFlags } from '../mesh-options.js';
import { UsageError } from '../io.js';

interface CheckOptions extends MeshFlags {
  namespace?: string[];
  scope?: string[];
  filename: string[];
  from: string;
  to: string;
  port?: string;
  protocol: Protocol;
  method?: string;
  path?: string;
  header?: string[];
  accessMode: AccessMode;
  output: 'text' | 'json' | 'yaml';
  mesh?: string;
  trustDomain: string;
  clusterDomain: string;
}

export function checkCommand(ctx: CommandContext): Command {
  return addTranslateOptions(new Command('check'))
    .summary('may this caller make this request? ALLOW or DENY, and why')
    .description(
      'Answers from the SMI reference semantics (docs/semantics.md) whether a request from one ServiceAccount\n' +
        'to another is allowed, naming the TrafficTarget, rule and match that allowed it, or why each candidate did not.\n' +
        'Exit status: 0 allowed, 1 denied, 2 usage or input error.',
    )
    .addOption(filenameOption())
    .requiredOption('--from <ns/serviceaccount>', 'the caller: NAMESPACE/SERVICEACCOUNT, or "unauthenticated" for a client without mesh identity')
    .requiredOption('--to <ns/serviceaccount>', 'the destination: NAMESPACE/SERVICEACCOUNT')
    .option('--port <port>', 'port on the destination pods')
    .addOption(protocolOption())
    .option('--method <method>', 'HTTP method (default GET)')
    .option('--path <path>', 'HTTP path (default /); a query string is ignored by pathRegex')
    .option('--header <name=value>', 'HTTP header (repeatable)', collect)
    .addOption(accessModeOption())
    .addOption(namespaceOption())
    .addOption(scopeOption())
    .addOption(meshOption(false))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'yaml']).default('text'))
    .action(async (opts: CheckOptions) => {
      const source = opts.from === UNAUTHENTICATED ? UNAUTHENTICATED : parseNamespacedName('--from', opts.from);
      const destination = parseNamespacedName('--to', opts.to);
      let port = parsePort(opts.port);
      const http = parseHttp(opts.protocol, opts);
      const model = await loadModel(ctx, opts.filename, opts.accessMode, opts);
      if (source !== UNAUTHENTICATED) requireIdentity(model, '--from', source);
      requireIdentity(model, '--to', destination);
      if (port === undefined) {
        // Convenience: the destination's pods expose exactly one port of this protocol, so that is the one meant.
        const wanted = opts.protocol === 'udp' ? 'UDP' : 'TCP';
        const ports = new Set(workloadsOf(model.inventory, destination.namespace, destination.name).flatMap((w) => w.ports.filter((p) => p.protocol === wanted).map((p) => p.port)));
        if (ports.size === 1) {
          port = [...ports][0];
          if (opts.output === 'text') ctx.io.stderr(`note: --port ${port}, the only ${wanted} port of ${opts.to}'s pods\n`);
        }
      }
      const request: AccessRequest = { source, destination, protocol: opts.protocol, ...(port !== undefined ? { port } : {}), ...(http ? { http } : {}) };
      if (opts.mesh !== undefined) return checkOnMesh(ctx, opts, model, request);
      const decision = decide(model, request);
      const from = source === UNAUTHENTICATED ? UNAUTHENTICATED : `${source.namespace}/${source.name}`;
      const to = `${destination.namespace}/${destination.name}`;
      if (opts.output !== 'text') {
        ctx.io.stdout(formatData(opts.output, {
          allowed: decision.allowed,
          decision: decision.allowed ? 'ALLOW' : 'DENY',
          mode: model.mode,
          request: {
            from, to, protocol: opts.protocol, port: port ?? null,
            ...(http ? { method: http.method, path: http.path, headers: Object.fromEntries(http.headers) } : {}),
          },
          reasons: decision.reasons.map((r) => ({
            effect: r.effect, message: r.message, via: r.via ?? null,
            target: r.target ? { kind: r.target.kind, namespace: r.target.namespace, name: r.target.name, file: r.target.file, line: r.target.line } : null,
          })),
        }));
      } else {
        const what = http ? `${opts.protocol} ${http.method} ${http.path}${[...http.headers].map(([k, v]) => ` ${k}=${v}`).join('')}` : opts.protocol;
        ctx.io.stdout(`${decision.allowed ? 'ALLOW' : 'DENY'}  ${from} → ${to}  ${what}${port !== undefined ? ` port ${port}` : ''}  (${model.mode} mode)\n`);
        for (const r of decision.reasons) ctx.io.stdout(`  ${r.effect === 'deny' ? '-' : '+'} ${r.message}${r.target ? `  [${provenanceWhere(r.target)}]` : ''}\n`);
      }
      ctx.exitCode = decision.allowed ? EXIT.ok : EXIT.failed;
    });
}

/** The same question answered by evaluating the mesh's translated resources at each destination workload. */
function checkOnMesh(ctx: CommandContext, opts: CheckOptions, model: PolicyModel, request: AccessRequest): void {
  const target = requireTarget(opts.mesh ?? '', opts);
  const options = translateOptions(opts);
  const workloads = workloadsOf(model.inventory, request.destination.namespace, request.destination.name);
  if (workloads.length === 0) {
    throw new UsageError(`no workload in the input runs as ${opts.to}: add its Deployment, StatefulSet, DaemonSet or Pod to the input so ${target.name}'s answer can be computed`);
  }
  const translation = target.translate(model, options);
  // SMI's answer is the one for the request as the destination receives it through this mesh
  // (docs/semantics.md A7): a mesh that normalises the path forwards /b for /a/../b.
  const forwarded = request.http && normalizedHttp(target.pathView(options), request.http);
  const smiRequest = forwarded && forwarded !== request.http ? { ...request, http: forwarded } : request;
  if (forwarded && forwarded.path !== request.http?.path && opts.output === 'text') ctx.io.stderr(`note: ${target.name} forwards the path ${request.http?.path} as ${forwarded.path}; SMI's answer is for ${forwarded.path}\n`);
  const smi = decide(model, smiRequest);
  const results = workloads.map((w) => ({ workload: `${w.kind}/${w.name}`, ...target.evaluateAccess(translation.resources, w, request, options, { inventory: model.inventory }) }));
  const unanswerable = results.find((r) => r.unanswerable !== undefined);
  if (unanswerable) throw new UsageError(`${target.name} cannot answer this as asked: ${unanswerable.unanswerable ?? ''}; pass --port`);
  const allowed = results.every((r) => r.allowed);
  // What the translation said about this destination (its TrafficTargets, or naming it) and about the mesh as a whole; not the rest of the policy.
  const destination = identityKey(request.destination);
  const targetsOfDestination = new Set((model.destinations.get(destination)?.targets ?? []).map((t) => `TrafficTarget/${t.ref.namespace}/${t.ref.name}`));
  const relevant = translation.diagnostics.filter((d) => d.severity !== 'info' && (d.object === undefined || targetsOfDestination.has(d.object) || d.message.includes(destination)));
  if (opts.output !== 'text') {
    ctx.io.stdout(formatData(opts.output, {
      mesh: target.name, allowed, decision: allowed ? 'ALLOW' : 'DENY', smi: { allowed: smi.allowed },
      workloads: results.map((r) => ({ workload: r.workload, allowed: r.allowed, enforced: r.enforced, reasons: r.reasons })),
      diagnostics: relevant.map((d) => ({ severity: d.severity, code: d.code, message: d.message, object: d.object ?? null })),
    }));
  } else {
    ctx.io.stdout(`${allowed ? 'ALLOW' : 'DENY'}  on ${target.name}; SMI says ${smi.allowed ? 'ALLOW' : 'DENY'}${allowed === smi.allowed ? '' : '  ← the mesh differs'}\n`);
    for (const r of results) ctx.io.stdout(`  ${r.workload}: ${r.allowed ? 'allowed' : 'denied'}${r.enforced ? '' : options.fence ? ' (not enforced: the fence lets it in and the mesh does not judge it)' : ' (not enforced by the mesh)'} — ${r.reasons.join('; ')}\n`);
    if (allowed !== smi.allowed) for (const d of relevant) ctx.io.stdout(`  ${d.severity} ${d.code}: ${d.message}\n`);
  }
  ctx.exitCode = allowed ? EXIT.ok : EXIT.failed;
}
