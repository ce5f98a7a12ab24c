import type { Clock, Timer } from './clock.js';

/** One profile's numbers, as GetStatus/WatchState and the metrics report them. */
export interface ProfileStateView {
  profile: string;
  warm: number;
  starting: number;
  bound: number;
  draining: number;
  /** The warm target in force (the sizer's, within the profile's and the machine's room). */
  targetWarm: number;
  /** The part of the sizer's decision from the learned history (0 for the reactive sizer). */
  targetWarmHistory: number;
  /** The part from the recent claim rate. */
  targetWarmRecent: number;
  minWarm: number;
  maxTotal: number;
  claimRatePerMinute: number;
}

export interface PoolStateView {
  at: number;
  profiles: ProfileStateView[];
  bindings: number;
}

export type StateListener = (state: PoolStateView) => void;

/**
 * Fans pool-state changes out to watchers, at most once per `minIntervalMs`: a burst of
 * claims becomes one update, and the last change is never lost.
 */
export class StateBroadcaster {
  private readonly listeners = new Set<StateListener>();
  private timer: Timer | undefined;
  private lastSent = -Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly minIntervalMs: number,
    private readonly snapshot: () => PoolStateView,
  ) {}

  subscribe(listener: StateListener): () => void {
    this.listeners.add(listener);
    listener(this.snapshot());
    return () => this.listeners.delete(listener);
  }

  /** Something changed: notify now or at the end of the current interval. */
  changed(): void {
    if (this.listeners.size === 0 || this.timer) return;
    const wait = this.lastSent + this.minIntervalMs - this.clock.now();
    if (wait <= 0) return this.send();
    this.timer = this.clock.schedule(wait, () => {
      this.timer = undefined;
      this.send();
    });
  }

  close(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.listeners.clear();
  }

  private send(): void {
    this.lastSent = this.clock.now();
    const state = this.snapshot();
    for (const listener of this.listeners) listener(state);
  }
}
