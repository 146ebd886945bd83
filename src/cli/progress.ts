/**
 * Progress on stderr for long work: one line per finished stage (what it did, how long it took),
 * shown only once the command has run for two seconds and only when stderr is a terminal — scripts,
 * pipes and CI logs get results and diagnostics alone.
 */
import type { CliIO } from './io.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export class Progress {
  private readonly started: number;
  private stage: { label: string; at: number } | undefined;
  private lastNote = 0;

  constructor(private readonly io: CliIO, private readonly delayMs = 2000, private readonly now: () => number = () => performance.now()) {
    this.started = now();
  }

  /** A stage begins (the one before it ends). */
  step(label: string): void {
    this.finish();
    this.stage = { label, at: this.now() };
  }

  /** The last stage ends. */
  done(): void {
    this.finish();
    this.stage = undefined;
  }

  /** A stage's label once it knows its size ("read 12 files: 22,000 documents"). */
  relabel(label: string): void {
    if (this.stage) this.stage.label = label;
  }

  /** Within a long stage: where it stands ("compared 1,200 of 5,000 destinations"), at most every intervalMs. */
  note(label: string, intervalMs = 5000): void {
    if (!this.io.stderrIsTerminal) return;
    const t = this.now();
    if (t - this.started < this.delayMs || t - this.lastNote < intervalMs) return;
    this.lastNote = t;
    this.io.stderr(`smi: ${label} (${seconds(t - this.started)} in all)\n`);
  }

  private finish(): void {
    if (!this.stage || !this.io.stderrIsTerminal) return;
    const t = this.now();
    if (t - this.started < this.delayMs) return;
    this.io.stderr(`smi: ${this.stage.label} (${seconds(t - this.stage.at)}; ${seconds(t - this.started)} in all)\n`);
  }
}
