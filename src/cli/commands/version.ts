import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { packageVersion } from '../../version.js';
import { KINDS } from '../../api/registry.js';

export function versionCommand(ctx: CommandContext): Command {
  return new Command('version')
    .summary('print the smi version and the SMI API versions it serves')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((opts: { output: string }) => {
      const apis = KINDS.map((k) => ({ group: k.group, kind: k.kind, versions: k.versions.map((v) => v.version) }));
      if (opts.output === 'json') {
        ctx.io.stdout(`${JSON.stringify({ version: packageVersion(), node: process.version, apis }, null, 2)}\n`);
        return;
      }
      ctx.io.stdout(`smi ${packageVersion()} (node ${process.version})\n`);
      for (const a of apis) ctx.io.stdout(`  ${a.group} ${a.kind}: ${a.versions.join(', ')}\n`);
    });
}
