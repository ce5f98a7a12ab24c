// Runs work under a signal that also fires after `timeoutMs`, and races it, so a callee that
// ignores its signal still cannot hold the turn past its deadline.
import { WarmgateError, errors } from '@warmgate/proto';

export async function withDeadline<T>(
  parent: AbortSignal,
  timeoutMs: number,
  what: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  parent.throwIfAborted();
  const controller = new AbortController();
  let rejectEarly: (reason: unknown) => void = () => {};
  const early = new Promise<never>((_, reject) => (rejectEarly = reject));
  const onParentAbort = () => {
    controller.abort(parent.reason);
    rejectEarly(WarmgateError.from(parent.reason));
  };
  const timer = setTimeout(() => {
    const reason = errors.deadlineExceeded(`${what} took longer than ${timeoutMs} ms`);
    controller.abort(reason);
    rejectEarly(reason);
  }, timeoutMs);
  parent.addEventListener('abort', onParentAbort, { once: true });
  try {
    return await Promise.race([work(controller.signal), early]);
  } finally {
    clearTimeout(timer);
    parent.removeEventListener('abort', onParentAbort);
  }
}
