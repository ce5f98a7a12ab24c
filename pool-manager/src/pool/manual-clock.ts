import type { Clock, Timer } from './clock.js';

interface Scheduled {
  at: number;
  seq: number;
  fn: () => void;
}

/** A clock that moves only when told to: for unit tests and simulations. */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private queue: Scheduled[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  schedule(ms: number, fn: () => void): Timer {
    const entry = { at: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.queue.push(entry);
    return { cancel: () => (this.queue = this.queue.filter((e) => e !== entry)) };
  }

  /** Moves time forward by `ms`, running due timers in order (and letting promises settle). */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await flushMicrotasks();
      await flushMicrotasks();
      const next = this.nextDue(end);
      if (!next) break;
      this.queue = this.queue.filter((e) => e !== next);
      this.time = next.at;
      next.fn();
    }
    this.time = end;
    await flushMicrotasks();
  }

  /** Timers not yet run. */
  get pending(): number {
    return this.queue.length;
  }

  private nextDue(end: number): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const e of this.queue) {
      if (e.at > end) continue;
      if (!best || e.at < best.at || (e.at === best.at && e.seq < best.seq)) best = e;
    }
    return best;
  }
}

/** Lets every promise chain that is ready run to its next wait (a macrotask runs after them all). */
function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
