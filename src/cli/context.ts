import type { CliIO } from './io.js';

/** What every command gets: the outside world and a way to set the exit code. */
export interface CommandContext {
  readonly io: CliIO;
  readonly programName: string;
  exitCode: number;
}
