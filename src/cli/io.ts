/** What a command may touch of the outside world; tests pass their own. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<Buffer>;
  /** stderr is a terminal a person watches (progress is shown there only). */
  readonly stderrIsTerminal?: boolean;
}

// A reader that closed early (`smi … | head`) is not an error: stop writing, exit quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

/** The most smi reads from one file or from stdin. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

export class InputTooLarge extends Error {
  constructor(readonly bytes: number) {
    super(`more than the ${MAX_INPUT_BYTES}-byte limit for one input`);
  }
}

export const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTerminal: process.stderr.isTTY === true,
  readStdin: async () => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin) {
      size += (chunk as Buffer).length;
      // Past the limit reading stops: an endless pipe must not fill the memory.
      if (size > MAX_INPUT_BYTES) throw new InputTooLarge(size);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  },
};

/** Exit codes scripts can rely on. */
/** 0 ok; 1 findings (denied, differs, errors in the input); 2 usage or unreadable input; 3 a bug in smi. */
export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 3 } as const;

/** A usage or input problem that makes the command unable to run at all (exit 2). */
export class UsageError extends Error {}
