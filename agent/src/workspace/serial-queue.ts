// One workspace, one writer at a time: every mutation runs after the previous one settled,
// so read-modify-write cycles and git's index never interleave.
export interface SerialQueue {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Resolves when everything queued so far has settled. */
  idle(): Promise<void>;
  readonly pending: number;
}

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  let pending = 0;
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      pending++;
      const result = tail.then(task);
      tail = result.then(
        () => pending--,
        () => pending--,
      );
      return result;
    },
    idle: () => tail.then(() => undefined),
    get pending() {
      return pending;
    },
  };
}
