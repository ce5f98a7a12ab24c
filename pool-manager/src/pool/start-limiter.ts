// Bounds how many replacements a warm pool starts at once. After a burst of claims the pool
// would otherwise start every replacement together — on the local runtime two Node processes
// each — and their start-up (compiling modules) takes the cores from the users just bound.
// Cold starts do not go through this: a user waiting for a container never queues behind a
// replacement.

export interface StartLimiter {
  /** Runs `start` when fewer than the limit are running; in call order. */
  run<T>(start: () => Promise<T>): Promise<T>;
  /** Starts waiting for a turn. */
  readonly queued: number;
  /** Refuses every start still waiting, and any later one (the pool is draining). */
  close(): void;
}

/** `max` 0 = no bound. */
export function createStartLimiter(max: number): StartLimiter {
  let running = 0;
  let closed = false;
  const waiting: { go: () => void; refuse: (error: Error) => void }[] = [];
  const release = () => {
    running--;
    const next = waiting.shift();
    if (next) {
      running++;
      next.go();
    }
  };
  const refusal = () => new Error('the warm pool is draining: no more containers are started');
  return {
    async run(start) {
      if (closed) throw refusal();
      if (max > 0) {
        if (running >= max) {
          await new Promise<void>((go, refuse) => waiting.push({ go, refuse }));
        } else running++;
      }
      try {
        return await start();
      } finally {
        if (max > 0) release();
      }
    },
    get queued() {
      return waiting.length;
    },
    close() {
      closed = true;
      for (const entry of waiting.splice(0)) entry.refuse(refusal());
    },
  };
}
