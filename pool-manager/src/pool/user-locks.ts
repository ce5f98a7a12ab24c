/**
 * Per-user ordering: work for one user runs one at a time (an acquire waits for that user's
 * drain, so it never restores a repository the drain has not pushed yet), and concurrent
 * acquires for one user share one flight, so they yield exactly one binding.
 */
export class UserLocks {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly flights = new Map<string, Promise<unknown>>();

  /** Runs `fn` after every earlier task for `userId` has settled. */
  serialize<T>(userId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(userId) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => {});
    this.tails.set(userId, tail);
    void tail.then(() => {
      if (this.tails.get(userId) === tail) this.tails.delete(userId);
    });
    return run;
  }

  /**
   * Joins the flight in progress for `userId`, or starts one with `fn` (serialized).
   * `joined` tells the caller whether it rode along on someone else's flight.
   */
  singleFlight<T>(userId: string, fn: () => Promise<T>): { result: Promise<T>; joined: boolean } {
    const current = this.flights.get(userId) as Promise<T> | undefined;
    if (current) return { result: current, joined: true };
    const result = this.serialize(userId, fn);
    this.flights.set(userId, result);
    const clear = () => {
      if (this.flights.get(userId) === result) this.flights.delete(userId);
    };
    result.then(clear, clear);
    return { result, joined: false };
  }

  /** Settles once every task queued so far has settled. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }
}
