import { WarmgateError } from '@warmgate/proto';

/** Waits for shared work, but lets this caller give up on its own signal. */
export function raceSignal<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(WarmgateError.from(signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(WarmgateError.from(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
