import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { accessModeOption, filenameOption, scopeOption, namespaceOption, namespaceOf } from '../policy-input.js';
import { loadInput } from '../load.js';
import { formatDiagnostics, formatData } from '../format.js';
import { table } from '../table.js';
import { EXIT, UsageError } from '../io.js';
import { hasErrors } from '../../api/diagnostic.js';
import { syntheticOrigin } from '../../api/document.js';
import { validateDocuments } from '../../api/validate.js';
import { resolvePolicy } from '../../policy/resolve.js';
import { metricsMeshes, metricsOf, scopeOptions } from '../../targets/registry.js';

/** The meshes whose metrics name the caller of a request (Target.metrics.flows). */
const flowMeshes = (): string[] => metricsMeshes().filter((m) => metricsOf(m)?.flows);
import { judgeFlow, type FlowImpact, type FlowVerdict } from '../../policy/impact.js';
import { describeScope } from '../../policy/scope.js';
import type { AccessMode } from '../../policy/model.js';
import { Prometheus } from '../../metrics/prometheus.js';
import { flowQuery } from '../../metrics/flows.js';
import { auditQuery, type AuditFinding, type AuditQuery } from '../../metrics/audit-results.js';
import { parseWindow, windowSeconds } from '../../metrics/promql.js';
import { addMetricsOptions, requireTarget, translateOptions, type TranslateFlags } from '../mesh-options.js';
import { loadKubeConfig } from '../../kube/config.js';
import { listKinds } from '../../kube/snapshot.js';
import { INVENTORY_KINDS, NAMESPACE_KIND } from '../../api/watched-kinds.js';

interface ImpactFlags extends TranslateFlags {
  filename: string[];
  kubeconfig?: string;
  prometheusUrl: string;
  mesh: string;
  window: string;
  at?: string;
  accessMode: AccessMode;
  namespace?: string[];
  scope?: string[];
  output: 'table' | 'json' | 'yaml';
  auditResults?: boolean;
}

/** The audit findings over the window ending at `at` (now when unset): the names first where the mesh needs that. */
async function readAudit(prometheus: Prometheus, query: AuditQuery, at: number | undefined, seconds: number): Promise<AuditFinding[]> {
  if (query.names === undefined) return (await prometheus.query(query.promql(), at)).flatMap((s) => query.parse(s) ?? []);
  const end = at ?? Date.now() / 1000;
  const names = [...new Set((await prometheus.series(query.names, end - seconds, end)).map((l) => l.__name__ ?? ''))].filter((n) => n !== '').sort();
  const out: AuditFinding[] = [];
  for (const name of names) for (const s of await prometheus.query(query.promql(name), at)) { const f = query.parse(s, name); if (f) out.push(f); }
  return out;
}

const ORDER: Record<FlowVerdict, number> = { denied: 0, partly: 1, unknown: 2, allowed: 3, 'not-governed': 4 };
const LABEL: Record<FlowVerdict, string> = { denied: 'DENY', partly: 'PARTLY', unknown: 'UNKNOWN', allowed: 'ALLOW', 'not-governed': 'NOT GOVERNED' };

function parseAt(at: string | undefined): number | undefined {
  if (at === undefined) return undefined;
  const n = /^\d+(\.\d+)?$/.test(at) ? Number(at) : Date.parse(at) / 1000;
  if (!Number.isFinite(n)) throw new UsageError(`--at takes a Unix time in seconds or an RFC 3339 time, got "${at}"`);
  return n;
}

export function impactCommand(ctx: CommandContext): Command {
  return addMetricsOptions(new Command('impact'))
    .summary('which live flows a new policy would deny, from the mesh\'s metrics, before anything is applied')
    .description(
      'Reads from Prometheus the source → destination flows that carried traffic in the window (the caller\'s mesh ' +
        'identity and the workload it reached, and the port where the mesh records it), and judges each against the ' +
        'policy in -f: ALLOW (the whole flow), PARTLY (only requests fitting HTTP routes, which metrics do not show), ' +
        'DENY, NOT GOVERNED (outside smi\'s scope) or UNKNOWN (the workload is not in the input: add --kubeconfig to ' +
        'read the cluster\'s workloads). Meshes whose metrics name the caller: ' + flowMeshes().join(', ') + '.\n\n' +
        'With --audit-results, also what the mesh itself reported it would have denied under the policy applied now in ' +
        'audit mode (`smi controller --enforcement audit`): Linkerd counts requests its audit access policy let through, with ' +
        'the caller; Istio counts, per pod and port, requests its dry-run ALLOW policies would have denied, without the caller.\n\n' +
        'Traffic no proxy read as HTTP (a TCP proxy; ztunnel in Istio\'s ambient mode) is counted in connections, not ' +
        'requests (RATE conn/s). In ambient mode a connection a waypoint forwards names the waypoint as its caller and is ' +
        'left out (the waypoint\'s own series name the caller behind it): give --istio-waypoint NAME when your waypoint ' +
        'is not smi\'s own.\n\n' +
        'Exit status: 0 no live flow would be denied (nor was reported by the audit), 1 some would (or were), 2 usage, input or metrics error.',
    )
    .addOption(filenameOption())
    .option('--kubeconfig <file>', "also read the cluster's Namespaces, Services, ServiceAccounts and workloads (the files win where both have an object)")
    .requiredOption('--prometheus-url <url>', 'Prometheus holding the mesh\'s metrics')
    .addOption(new Option('--mesh <mesh>', 'whose metrics to read (only these name the caller of a request)').choices(flowMeshes()).makeOptionMandatory())
    .option('--window <duration>', 'how far back to look for flows', '1h')
    .option('--at <time>', 'judge the window ending at this time (Unix seconds or RFC 3339; default now)')
    .addOption(accessModeOption())
    .addOption(namespaceOption())
    .addOption(scopeOption())
    .option('--audit-results', "also read what the mesh reports its audit mode let through and would have denied (Linkerd's audit access policy, Istio's dry-run policies)")
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'yaml']).default('table'))
    .action(async (opts: ImpactFlags) => {
      const window = parseWindow(opts.window);
      if (!window) throw new UsageError(`--window takes a duration such as 30s, 5m or 1h, got "${opts.window}"`);
      requireTarget(opts.mesh, opts);
      const query = flowQuery(opts.mesh, window, undefined, translateOptions(opts));
      if (!query) throw new UsageError(`--mesh ${opts.mesh}: its metrics do not name the caller of a request (Envoy's inbound statistics), so live flows cannot be read; ${flowMeshes().join(' and ')} can`);
      const at = parseAt(opts.at);

      const input = await loadInput(ctx, opts.filename, false, namespaceOf(opts));
      const shown = input.diagnostics.filter((d) => d.severity !== 'info');
      if (shown.length > 0) ctx.io.stderr(formatDiagnostics(shown));
      if (hasErrors(input.diagnostics)) throw new UsageError('the input has errors (above); fix them or check them with `smi validate`');
      let kube = input.kube;
      if (opts.kubeconfig) {
        const lists = await listKinds(loadKubeConfig(opts.kubeconfig), [...INVENTORY_KINDS, NAMESPACE_KIND]);
        const have = new Set(kube.map((k) => `${k.kind}/${k.namespace}/${k.name}`));
        const cluster = validateDocuments([...lists.values()].flat().map((o) => ({ value: o as never, origin: syntheticOrigin(`cluster:${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`) }))).kube;
        kube = [...kube, ...cluster.filter((k) => !have.has(`${k.kind}/${k.namespace}/${k.name}`))];
      }
      const model = resolvePolicy({ smi: input.smi, valid: input.valid, kube }, { mode: opts.accessMode, scope: scopeOptions(opts.scope) });

      let samples;
      let audit: AuditFinding[] = [];
      const audited = opts.auditResults ? auditQuery(opts.mesh, window) : undefined;
      const prometheus = new Prometheus(opts.prometheusUrl);
      try {
        samples = await prometheus.query(query.promql, at);
        if (audited) audit = (await readAudit(prometheus, audited, at, windowSeconds(window))).filter((f) => f.requests > 0);
      } catch (e) {
        ctx.io.stderr(`error: ${e instanceof Error ? e.message : String(e)}\n`);
        ctx.exitCode = EXIT.usage;
        return;
      }
      const seconds = windowSeconds(window);
      const impacts: FlowImpact[] = samples.map((s) => query.parse(s)).filter((f) => f !== undefined && f.requests > 0).map((f) => judgeFlow(model, f!))
        .sort((a, b) => ORDER[a.verdict] - ORDER[b.verdict] || b.flow.requests - a.flow.requests);
      const denied = impacts.filter((i) => i.verdict === 'denied');
      audit.sort((a, b) => b.requests - a.requests || `${a.destination.namespace}/${a.destination.name}`.localeCompare(`${b.destination.namespace}/${b.destination.name}`));
      const auditSource = (f: AuditFinding) => (f.source === undefined ? '-' : f.source === 'unauthenticated' ? 'unauthenticated' : `${f.source.namespace}/${f.source.name}`);
      const auditJson = audited ? { auditResults: { blind: audited.blind, findings: audit.map((f) => ({ destination: `${f.destination.namespace}/${f.destination.name}`, destinationKind: f.destination.kind, ...(f.source !== undefined ? { source: auditSource(f) } : {}), port: f.port, requests: f.requests, rps: f.requests / seconds })) } } : {};
      const who = (i: FlowImpact) => (i.flow.source === 'unauthenticated' ? `unauthenticated${i.flow.sourceWorkload ? ` (${i.flow.sourceWorkload.namespace}/${i.flow.sourceWorkload.name})` : ''}` : `${i.flow.source.namespace}/${i.flow.source.name}`);
      if (opts.output !== 'table') {
        const counted = (f: FlowImpact['flow']) => (f.unit === 'connections' ? { connections: f.requests, connectionsPerSecond: f.requests / seconds } : { requests: f.requests, rps: f.requests / seconds });
        ctx.io.stdout(formatData(opts.output, { window, flows: impacts.map((i) => ({ source: who(i), destination: `${i.flow.destination.namespace}/${i.flow.destination.name}`, destinationServiceAccount: i.destinationIdentity, port: i.flow.port, ...counted(i.flow), verdict: i.verdict, why: i.why })), ...auditJson }));
      } else {
        ctx.io.stderr(`${describeScope(model.scope)}\n`);
        ctx.io.stdout(`${impacts.length} live flow(s) in the last ${window}: ${denied.length} would be denied, ${impacts.filter((i) => i.verdict === 'partly').length} partly\n`);
        if (impacts.length > 0) {
          ctx.io.stdout(table(['SOURCE', 'DESTINATION', 'PORT', 'RATE', 'NEW POLICY', 'WHY'], impacts.map((i) => [
            who(i), `${i.flow.destination.namespace}/${i.flow.destination.name}`, i.flow.port !== undefined ? String(i.flow.port) : '-',
            `${(i.flow.requests / seconds).toFixed(2)} ${i.flow.unit === 'connections' ? 'conn/s' : 'req/s'}`, LABEL[i.verdict], i.why,
          ])));
        }
        if (audited) {
          ctx.io.stdout(`\nthe mesh's audit mode reported ${audit.reduce((n, f) => n + f.requests, 0)} request(s) in the last ${window} that the policy applied now would deny; ${audited.blind}\n`);
          if (audit.length > 0) {
            ctx.io.stdout(table(['DESTINATION', 'SOURCE', 'PORT', 'REQ/S'], audit.map((f) => [
              `${f.destination.kind === 'pod' ? 'pod ' : ''}${f.destination.namespace}/${f.destination.name}`, auditSource(f), f.port !== undefined ? String(f.port) : '-', (f.requests / seconds).toFixed(2),
            ])));
          }
        }
      }
      ctx.exitCode = denied.length > 0 || audit.length > 0 ? EXIT.failed : EXIT.ok;
    });
}
