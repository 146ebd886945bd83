import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { accessModeOption, filenameOption, loadModel, scopeOption, namespaceOption } from '../policy-input.js';
import { renderGraph, type GraphFormat } from '../../policy/graph.js';
import type { AccessMode } from '../../policy/model.js';

export function graphCommand(ctx: CommandContext): Command {
  return new Command('graph')
    .summary('the policy graph as Graphviz DOT or Mermaid')
    .description('ServiceAccounts with the edges TrafficTargets allow (labelled with routes), and Services with their\nsplits (dashed, labelled with weights). Render with `dot -Tsvg` or any Mermaid viewer.')
    .addOption(filenameOption())
    .addOption(new Option('-o, --output <format>', 'graph format').choices(['dot', 'mermaid']).default('dot'))
    .addOption(accessModeOption())
    .addOption(namespaceOption())
    .addOption(scopeOption())
    .action(async (opts: { filename: string[]; output: GraphFormat; accessMode: AccessMode; namespace?: string[]; scope?: string[] }) => {
      const model = await loadModel(ctx, opts.filename, opts.accessMode, opts);
      ctx.io.stdout(renderGraph(model, opts.output));
    });
}
