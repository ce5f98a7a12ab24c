// The one owner of "stop waiting": every place on the chat path that waits for something it
// does not control (a tool, the model's stream, a shared connect, the turn, saving the turn)
// bounds the wait here, by the caller's signal, a deadline, or both. The wait is raced, so a
// callee that ignores its signal still cannot hold the caller past the bound; the callee gets
// the aborted signal so it can stop its own work.
import { WarmgateError, errors } from '@warmgate/proto';

export interface Deadline {
  /** Fires with the parent's reason, or with DEADLINE_EXCEEDED when the time is up. */
  readonly signal: AbortSignal;
  /** Rejects (a WarmgateError) when `signal` fires; never resolves. Safe to leave unobserved. */
  readonly expired: Promise<never>;
  /** Stops the timer and the parent listener (call when the work has ended). */
  clear(): void;
}

/**
 * A signal that fires when `parent` does or after `timeoutMs` (no parent: only the time; no
 * time: only the parent). The deadline's reason is DEADLINE_EXCEEDED naming `what`.
 */
export function deadline(
  parent: AbortSignal | undefined,
  timeoutMs: number | undefined,
  what: string,
): Deadline {
  const controller = new AbortController();
  let reject: (reason: unknown) => void = () => {};
  const expired = new Promise<never>((_, fail) => (reject = fail));
  expired.catch(() => {}); // observed by whoever races it; never an unhandled rejection
  const stop = (reason: unknown) => {
    controller.abort(reason);
    reject(WarmgateError.from(reason));
  };
  const onParentAbort = () => stop(parent!.reason);
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(
          () => stop(errors.deadlineExceeded(`${what} took longer than ${timeoutMs} ms`)),
          timeoutMs,
        );
  if (parent?.aborted) stop(parent.reason);
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    expired,
    clear() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}

/**
 * Runs `work` under a deadline signal and races it: rejects with the parent's reason (as a
 * WarmgateError) or DEADLINE_EXCEEDED as soon as either fires. Without `timeoutMs` it only
 * lets this caller give up on its own signal (e.g. waiting for work shared with others).
 */
export async function withDeadline<T>(
  parent: AbortSignal | undefined,
  timeoutMs: number | undefined,
  what: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const bound = deadline(parent, timeoutMs, what);
  try {
    if (bound.signal.aborted) return await bound.expired;
    return await Promise.race([work(bound.signal), bound.expired]);
  } finally {
    bound.clear();
  }
}

/**
 * Iterates a stream but stops the moment `signal` fires (throwing its reason as a
 * WarmgateError), even if the producer is stuck and ignores its own signal: a hung provider
 * must not hold a turn past its deadline.
 */
export async function* abortable<T>(
  source: AsyncIterable<T>,
  signal: AbortSignal,
): AsyncGenerator<T> {
  const bound = deadline(signal, undefined, '');
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  try {
    if (bound.signal.aborted) await bound.expired;
    for (;;) {
      const next = await Promise.race([iterator.next(), bound.expired]);
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    bound.clear();
    // Tell the producer to stop; do not wait for a producer that may never answer.
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => {});
  }
}
