/**
 * A rate-limited work queue: keys are deduplicated while waiting, one worker at a time per key,
 * failures come back after an exponential backoff (per key, capped), successes reset it. Changes
 * arriving in a burst are batched by a short delay before the key is handed out.
 */
export interface QueueOptions {
  readonly batchDelayMs: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

export class WorkQueue {
  private readonly waiting = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private stopped = false;

  constructor(private readonly work: (key: string) => Promise<void>, private readonly options: QueueOptions, private readonly onError: (key: string, error: unknown, retryInMs: number) => void) {}

  get depth(): number {
    return this.waiting.size + this.dirty.size;
  }

  add(key: string, delayMs = this.options.batchDelayMs): void {
    if (this.stopped) return;
    if (this.running.has(key)) {
      this.dirty.add(key); // picked up again when the current run ends
      return;
    }
    if (this.waiting.has(key)) return;
    this.waiting.set(key, setTimeout(() => void this.run(key), delayMs));
  }

  private async run(key: string): Promise<void> {
    this.waiting.delete(key);
    this.running.add(key);
    try {
      await this.work(key);
      this.failures.delete(key);
    } catch (e) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      const delay = Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** (n - 1));
      this.onError(key, e, delay);
      this.running.delete(key);
      this.dirty.delete(key);
      this.add(key, delay);
      return;
    }
    this.running.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  /** Resolves once nothing is waiting or running. */
  async drain(): Promise<void> {
    while (this.waiting.size > 0 || this.running.size > 0 || this.dirty.size > 0) await new Promise((r) => setTimeout(r, 5));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.waiting.values()) clearTimeout(t);
    this.waiting.clear();
  }
}
