/** The `smi` command line: one file per command under commands/. */
import { Command, CommanderError, type Option } from 'commander';
import { translateOptionFlags } from './mesh-options.js';
import { processIO, EXIT, UsageError, type CliIO } from './io.js';
import type { CommandContext } from './context.js';
import { validateCommand } from './commands/validate.js';
import { convertCommand } from './commands/convert.js';
import { crdsCommand } from './commands/crds.js';
import { versionCommand } from './commands/version.js';
import { checkCommand } from './commands/check.js';
import { routeCommand } from './commands/route.js';
import { explainCommand } from './commands/explain.js';
import { graphCommand } from './commands/graph.js';
import { translateCommand } from './commands/translate.js';
import { diffCommand } from './commands/diff.js';
import { controllerCommand } from './commands/controller.js';
import { installCommand, uninstallCommand } from './commands/install.js';
import { webhookCommand } from './commands/webhook.js';
import { metricsServerCommand } from './commands/metrics-server.js';
import { topCommand } from './commands/top.js';
import { impactCommand } from './commands/impact.js';
import { releaseNamespacesCommand } from './commands/release-namespaces.js';
import { dashboardCommand } from './commands/dashboard.js';
import { routeGroupsCommand, routesAliasCommand } from './commands/routes.js';
import { packageVersion } from '../version.js';

/** Prose lines joined into paragraphs (blank lines kept), so the help wraps once, at the terminal's width; indented lines and list items stay. */
export const reflow = (text: string): string => text.split('\n\n').map((p) => p.replace(/\n(?![ \t]|- )/g, ' ')).join('\n\n');

export interface MainOptions {
  readonly programName?: string;
  readonly io?: CliIO;
}

export const COMMANDS = [validateCommand, convertCommand, crdsCommand, checkCommand, routeCommand, routeGroupsCommand, explainCommand, graphCommand, translateCommand, diffCommand, impactCommand, dashboardCommand, controllerCommand, webhookCommand, metricsServerCommand, topCommand, installCommand, uninstallCommand, releaseNamespacesCommand, versionCommand];

export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const io = options.io ?? processIO;
  const ctx: CommandContext = { io, programName: options.programName ?? 'smi', exitCode: EXIT.ok };
  const program = new Command(ctx.programName)
    .description('smi — the Service Mesh Interface: write traffic policy once, run it on any mesh')
    .version(packageVersion(), '--version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .exitOverride();
  // Every command and subcommand reports through ctx.io and returns its exit status (no process.exit).
  const translateFlags = translateOptionFlags();
  const configure = (command: Command): Command => {
    command.configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) }).exitOverride().showHelpAfterError('(run with --help for usage)');
    // Help: the command's own options first, the translation's (common and each mesh's) after.
    const options = command.options as Option[];
    const own = options.filter((o) => !translateFlags.has(o.long ?? ''));
    options.splice(0, options.length, ...own, ...options.filter((o) => !own.includes(o)));
    // Descriptions are written in lines of prose: commander wraps them to the terminal itself.
    command.description(reflow(command.description()));
    for (const sub of command.commands) configure(sub);
    return command;
  };
  for (const make of COMMANDS) program.addCommand(configure(make(ctx)));
  // Old names that still work, hidden from help.
  for (const make of [routesAliasCommand]) program.addCommand(configure(make(ctx)), { hidden: true });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
      if (error.code === 'commander.executeSubCommandAsync') return EXIT.ok;
      return EXIT.usage;
    }
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}\n`);
      return EXIT.usage;
    }
    // A bug, not the user's fault: say so plainly, without a stack unless asked for.
    io.stderr(`internal error: ${(error as Error).message ?? String(error)}\n${process.env.SMI_DEBUG ? `${(error as Error).stack}\n` : 'set SMI_DEBUG=1 for a stack trace\n'}`);
    return EXIT.internal;
  }
}
