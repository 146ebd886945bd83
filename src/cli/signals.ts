/**
 * A server keeps serving through a promise nobody awaited that failed: the failure is logged, never
 * an exit (Node's default ends the process, so one stray rejection would take every request down).
 * Each request's own failures are answered by the servers themselves (src/http/guard.ts).
 */
export function logUnhandledRejections(log: (e: unknown) => void = (e) => process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'unhandled rejection', err: String(e) })}\n`)): void {
  if (process.listenerCount('unhandledRejection') > 0) return;
  process.on('unhandledRejection', (e) => {
    try {
      log(e);
    } catch {
      // nothing more to do: the process stays up
    }
  });
}

/** Long-running commands (controller, webhook, metrics-server, dashboard) end the same way: on SIGTERM or SIGINT, stop cleanly, then exit. */
export async function runUntilSignal(stop: () => Promise<unknown>): Promise<never> {
  logUnhandledRejections();
  await new Promise<void>((resolve) => {
    const done = () => void stop().then(() => resolve());
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
  // Stopped cleanly; idle keep-alive sockets of clients must not hold the process up.
  process.exit(0);
}
