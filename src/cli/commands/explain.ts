import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { formatData } from '../format.js';
import { requireIdentity } from '../known-names.js';
import { accessModeOption, filenameOption, loadModel, parseNamespacedName, scopeOption, namespaceOption } from '../policy-input.js';
import { explain } from '../../policy/explain.js';
import type { AccessMode } from '../../policy/model.js';
import { table } from '../table.js';

export function explainCommand(ctx: CommandContext): Command {
  return new Command('explain')
    .summary('who may call a destination on what, and how its traffic splits')
    .description('A readable table of every caller a destination ServiceAccount allows, on which ports, methods, paths\nand headers, and by which TrafficTarget; then the TrafficSplits of its Services.')
    .addOption(filenameOption())
    .requiredOption('--to <ns/name>', 'the destination ServiceAccount: NAMESPACE/NAME')
    .addOption(accessModeOption())
    .addOption(namespaceOption())
    .addOption(scopeOption())
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'yaml']).default('text'))
    .action(async (opts: { filename: string[]; to: string; accessMode: AccessMode; namespace?: string[]; scope?: string[]; output: 'text' | 'json' | 'yaml' }) => {
      const destination = parseNamespacedName('--to', opts.to);
      const model = await loadModel(ctx, opts.filename, opts.accessMode, opts);
      requireIdentity(model, '--to', destination);
      const e = explain(model, destination);
      if (opts.output !== 'text') {
        // Data, not the table's display strings: ports as numbers (or all), methods and headers as lists, absent for "any".
        const data = { ...e, access: e.access.map((r) => ({ source: r.source, protocol: r.protocol, ...r.grant, grantedBy: r.via, where: r.where })) };
        return void ctx.io.stdout(formatData(opts.output, data));
      }
      const out: string[] = [];
      out.push(`Destination: ServiceAccount ${e.destination}   (${e.mode} mode)`);
      out.push(`Scope:       ${e.scope.inScope ? 'governed by smi' : 'outside smi\'s scope'} (${e.scope.why})`);
      out.push(`Workloads:   ${e.workloads.join(', ') || 'none in the input'}`);
      out.push(`Services:    ${e.services.join(', ') || 'none in the input'}`);
      out.push('');
      if (e.access.length === 0) out.push('No TrafficTarget allows any caller.');
      else {
        out.push('Allowed callers:');
        out.push(table(['SOURCE', 'PROTOCOL', 'PORTS', 'METHODS', 'PATH', 'HEADERS', 'GRANTED BY'],
          e.access.map((r) => [r.source, r.protocol, r.ports, r.methods, r.path, r.headers, `${r.via} [${r.where}]`])).trimEnd());
      }
      out.push(`Otherwise:   ${e.otherwise}`);
      for (const n of e.notes) out.push(`Note: ${n}`);
      for (const s of e.splits) {
        out.push('');
        out.push(`Traffic to ${s.service}: ${s.split} [${s.where}], applies to ${s.appliesTo}`);
        out.push(table(['BACKEND', 'WEIGHT', 'SHARE'], s.backends.map((b) => [b.service, String(b.weight), `${(b.share * 100).toFixed(1)}%`])).trimEnd());
        for (const n of s.notes) out.push(`Note: ${n}`);
      }
      ctx.io.stdout(`${out.join('\n')}\n`);
    });
}
