import type { Clock, Timer } from './clock.js';

/** Named background tasks on a clock; a task never overlaps itself, and stop() ends them all. */
export class Periodic {
  private readonly timers = new Map<string, Timer>();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly log: (message: string) => void,
  ) {}

  every(name: string, ms: number, task: () => Promise<void>): void {
    const tick = () => {
      this.timers.delete(name);
      if (this.stopped) return;
      void task()
        .catch((error: unknown) => this.log(`${name} failed: ${String(error)}`))
        .finally(() => {
          if (!this.stopped) this.timers.set(name, this.clock.schedule(ms, tick));
        });
    };
    this.timers.set(name, this.clock.schedule(ms, tick));
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
  }
}
