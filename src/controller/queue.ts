/**
 * A rate-limited work queue: keys are deduplicated while waiting, one worker at a time per key (and
 * at most `concurrency` keys at once), failures come back after an exponential backoff (per key,
 * capped), successes reset it. Changes arriving in a burst are batched by a short delay before the key
 * is ready.
 *
 * Two lanes, so that a change is not stuck behind a sweep: keys added as a `change` (something in the
 * cluster changed there) are handed out before keys added as `bulk` (a cold start or resync visiting
 * every namespace), first come, first served within each lane. A change to a key that waits in the
 * bulk lane moves it to the change lane. The bulk lane still drains: nothing a change adds can be
 * added again while it waits, so a steady stream of changes holds it up only as long as it lasts.
 */
export type Lane = 'change' | 'bulk';

export interface QueueOptions {
  readonly batchDelayMs: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** Keys worked on at once; default unlimited. */
  readonly concurrency?: number;
}

export class WorkQueue {
  private readonly waiting = new Map<string, NodeJS.Timeout>();
  /** Keys whose delay has passed, in the order they became ready: changes, then the sweep's. */
  private readonly ready: string[] = [];
  private readonly bulk: string[] = [];
  /** The lane of each key waiting for its delay. */
  private readonly lanes = new Map<string, Lane>();
  private readonly failures = new Map<string, number>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private stopped = false;

  constructor(private readonly work: (key: string) => Promise<void>, private readonly options: QueueOptions, private readonly onError: (key: string, error: unknown, retryInMs: number) => void) {}

  get depth(): number {
    return this.waiting.size + this.ready.length + this.bulk.length + this.dirty.size;
  }

  add(key: string, delayMs = this.options.batchDelayMs, lane: Lane = 'change'): void {
    if (this.stopped) return;
    if (this.running.has(key)) {
      this.dirty.add(key); // picked up again when the current run ends
      return;
    }
    if (this.ready.includes(key)) return;
    const swept = this.bulk.indexOf(key);
    if (swept >= 0) {
      if (lane === 'change') {
        this.bulk.splice(swept, 1);
        this.ready.push(key);
        this.pump();
      }
      return;
    }
    if (this.waiting.has(key)) {
      if (lane === 'change') this.lanes.set(key, 'change');
      return;
    }
    this.lanes.set(key, lane);
    this.waiting.set(key, setTimeout(() => {
      this.waiting.delete(key);
      (this.lanes.get(key) === 'bulk' ? this.bulk : this.ready).push(key);
      this.lanes.delete(key);
      this.pump();
    }, delayMs));
  }

  /** Starts ready keys while there is room: changes first. */
  private pump(): void {
    while (!this.stopped && this.ready.length + this.bulk.length > 0 && this.running.size < (this.options.concurrency ?? Infinity)) {
      const key = this.ready.length > 0 ? this.ready.shift()! : this.bulk.shift()!;
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
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
      this.pump();
      return;
    }
    this.running.delete(key);
    if (this.dirty.delete(key)) this.add(key);
    this.pump();
  }

  /** Resolves once nothing is waiting, ready or running. */
  async drain(): Promise<void> {
    while (this.waiting.size > 0 || this.ready.length > 0 || this.bulk.length > 0 || this.running.size > 0 || this.dirty.size > 0) await new Promise((r) => setTimeout(r, 5));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.waiting.values()) clearTimeout(t);
    this.waiting.clear();
    this.lanes.clear();
    this.ready.length = 0;
    this.bulk.length = 0;
  }
}
