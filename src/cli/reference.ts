/**
 * docs/cli.md, written from the commands themselves: every command and subcommand with its summary,
 * its flags and the formats of -o. A test regenerates it and fails when the file drifts.
 */
import type { Command, Option } from 'commander';
import { COMMANDS } from './main.js';
import type { CommandContext } from './context.js';
import { translateOptionFlags } from './mesh-options.js';

const quiet: CommandContext = { io: { stdout() {}, stderr() {}, readStdin: async () => Buffer.alloc(0) }, programName: 'smi', exitCode: 0 };

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

function optionRow(o: Option): string {
  const choices = o.argChoices ? ` (${o.argChoices.join(', ')})` : '';
  const dflt = o.defaultValue !== undefined && o.defaultValue !== false ? ` Default: ${JSON.stringify(o.defaultValue)}.` : '';
  return `| \`${cell(o.flags)}\` | ${cell(o.description)}${choices}.${dflt}${o.mandatory ? ' Required.' : ''} |`.replace('..', '.');
}

function section(command: Command, path: string[]): string[] {
  const name = [...path, command.name()].join(' ');
  // In the order help shows them: the command's own options, then the translation's (main.ts).
  const translate = translateOptionFlags();
  const visible = command.options.filter((o) => !o.hidden);
  const options = [...visible.filter((o) => !translate.has(o.long ?? '')), ...visible.filter((o) => translate.has(o.long ?? ''))];
  const output = options.find((o) => o.long === '--output');
  const out = [`## \`${name}\``, '', cell(command.summary() || command.description().split('\n')[0] || ''), ''];
  if (output?.argChoices) out.push(`Output (\`-o\`): ${output.argChoices.join(', ')}.`, '');
  if (options.length > 0) out.push('| flag | meaning |', '|---|---|', ...options.map(optionRow), '');
  return [...out, ...command.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden).flatMap((c) => section(c, [...path, command.name()]))];
}

export function cliReference(): string {
  return [
    '# smi command reference',
    '',
    'Written from the commands themselves (`src/cli/reference.ts`; `npm run docs:cli` rewrites it, and a test fails when it drifts).',
    '',
    'Every command writes results to stdout and diagnostics to stderr. Exit codes, the same for every command:',
    '',
    '| code | meaning |',
    '|---|---|',
    '| 0 | all is well |',
    '| 1 | findings: a denial, a difference, errors in the input, a grant a mesh cannot carry |',
    '| 2 | a usage error, a name the input does not hold, or input that cannot be read |',
    '| 3 | a bug in smi (set SMI_DEBUG=1 for the stack) |',
    '',
    ...COMMANDS.flatMap((make) => section(make(quiet), ['smi'])),
  ].join('\n');
}
