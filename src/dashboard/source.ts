/**
 * Where the dashboard's state comes from: fixed (files, read once) or following a cluster. Each new
 * state gets the next version; the page hears of it through /api/events and fetches what changed.
 */
import type { DashboardState } from './state.js';

export interface VersionedState {
  readonly state: DashboardState;
  readonly version: number;
  /** When this state was built (ISO 8601). */
  readonly at: string;
}

export interface StateSource {
  /** Files, or the cluster's API server address. */
  readonly origin: string;
  readonly live: boolean;
  current(): VersionedState;
  /** Called with every new state; returns the unsubscribe. */
  subscribe(listener: (s: VersionedState) => void): () => void;
}

/** A source that can be given new states (the cluster source feeds one). */
export class StateFeed implements StateSource {
  private latest: VersionedState;
  private readonly listeners = new Set<(s: VersionedState) => void>();

  constructor(readonly origin: string, readonly live: boolean, initial: DashboardState, private readonly now: () => Date = () => new Date()) {
    this.latest = { state: initial, version: 1, at: now().toISOString() };
  }

  current(): VersionedState {
    return this.latest;
  }

  subscribe(listener: (s: VersionedState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(state: DashboardState): void {
    this.latest = { state, version: this.latest.version + 1, at: this.now().toISOString() };
    for (const l of this.listeners) l(this.latest);
  }
}

export const fixedSource = (state: DashboardState, origin = 'files'): StateSource => new StateFeed(origin, false, state);
