// Iterates a stream but stops the moment `signal` fires, even if the producer is stuck and
// ignores its own signal (a hung provider must not hold a turn past its deadline).
import { WarmgateError } from '@warmgate/proto';

export async function* abortable<T>(
  source: AsyncIterable<T>,
  signal: AbortSignal,
): AsyncGenerator<T> {
  signal.throwIfAborted();
  const iterator = source[Symbol.asyncIterator]();
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(WarmgateError.from(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {}); // observed below; never an unhandled rejection
  let finished = false;
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    // Tell the producer to stop; do not wait for a producer that may never answer.
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => {});
  }
}
