/** Long-running commands (controller, webhook, metrics-server) end the same way: on SIGTERM or SIGINT, stop cleanly, then exit. */
export async function runUntilSignal(stop: () => Promise<unknown>): Promise<never> {
  await new Promise<void>((resolve) => {
    const done = () => void stop().then(() => resolve());
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
  // Stopped cleanly; idle keep-alive sockets of clients must not hold the process up.
  process.exit(0);
}
