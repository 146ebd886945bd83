/**
 * Asking every mesh the telling requests takes time on a big policy: this runs differenceSteps in
 * slices of a few milliseconds between the server's other work, so the page is served at once and
 * the differences fill in; a new version of the state cancels the job of the old one.
 */
import { differenceSteps, sideLabel, type DifferencesProgress, type MeshDifferences } from './differences.js';
import type { VersionedState } from './source.js';

export class DifferencesJob {
  private readonly steps: ReturnType<typeof differenceSteps>;
  private snapshot: () => MeshDifferences[];
  private result: MeshDifferences[] | undefined;
  private progressNow: DifferencesProgress = { done: 0, total: 0, requests: 0 };
  private cancelled = false;

  constructor(readonly version: VersionedState, private readonly onDone: (job: DifferencesJob) => void, private readonly sliceMs = 20) {
    const { model, sides } = version.state;
    this.steps = differenceSteps(model, sides);
    const empty = sides.map((s) => ({ mesh: sideLabel(s), destinations: [] }));
    this.snapshot = () => empty;
    setImmediate(() => this.run());
  }

  get complete(): boolean {
    return this.result !== undefined;
  }

  get progress(): DifferencesProgress {
    return this.progressNow;
  }

  differences(): MeshDifferences[] {
    return this.result ?? this.snapshot();
  }

  cancel(): void {
    this.cancelled = true;
  }

  private run(): void {
    if (this.cancelled) return;
    const until = performance.now() + this.sliceMs;
    while (performance.now() < until) {
      const step = this.steps.next();
      if (step.done) {
        this.result = step.value;
        this.progressNow = { ...this.progressNow, done: this.progressNow.total };
        this.onDone(this);
        return;
      }
      this.progressNow = step.value.progress;
      this.snapshot = step.value.snapshot;
    }
    setImmediate(() => this.run());
  }
}
