import { ErrorCode, WarmgateError, errors } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import { abortable, deadline, withDeadline } from './deadline.js';

const never = () => new Promise<never>(() => {});

async function codeOf(promise: Promise<unknown>): Promise<ErrorCode | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(WarmgateError);
    return (error as WarmgateError).code;
  }
}

describe('deadline', () => {
  it('fires with DEADLINE_EXCEEDED naming the work, or with the parent reason', async () => {
    const timed = deadline(undefined, 10, 'the thing');
    await expect(timed.expired).rejects.toThrow('the thing took longer than 10 ms');
    expect(WarmgateError.from(timed.signal.reason).code).toBe(ErrorCode.DEADLINE_EXCEEDED);

    const parent = new AbortController();
    const child = deadline(parent.signal, 60_000, 'x');
    parent.abort(errors.cancelled('client left'));
    expect(await codeOf(child.expired)).toBe(ErrorCode.CANCELLED);
    child.clear();
  });

  it('withDeadline stops waiting for work that ignores its signal', async () => {
    let seen: AbortSignal | undefined;
    const code = await codeOf(
      withDeadline(new AbortController().signal, 20, 'tool "slow"', (signal) => {
        seen = signal;
        return never();
      }),
    );
    expect(code).toBe(ErrorCode.DEADLINE_EXCEEDED);
    expect(seen?.aborted).toBe(true);
  });

  it('withDeadline without a time only races the caller signal, and passes results through', async () => {
    expect(await withDeadline(undefined, undefined, 'x', async () => 42)).toBe(42);
    const caller = new AbortController();
    const waiting = withDeadline(caller.signal, undefined, 'x', never);
    caller.abort(new DOMException('gone', 'AbortError'));
    expect(await codeOf(waiting)).toBe(ErrorCode.CANCELLED);
    const already = AbortSignal.abort(errors.cancelled('before'));
    expect(await codeOf(withDeadline(already, 1_000, 'x', async () => 1))).toBe(
      ErrorCode.CANCELLED,
    );
  });

  it('abortable ends a stream stuck in a producer that ignores the signal', async () => {
    const controller = new AbortController();
    async function* stuck() {
      yield 1;
      await never();
    }
    const seen: number[] = [];
    const reading = (async () => {
      for await (const value of abortable(stuck(), controller.signal)) seen.push(value);
    })();
    setTimeout(() => controller.abort(errors.deadlineExceeded('the turn took too long')), 10);
    expect(await codeOf(reading)).toBe(ErrorCode.DEADLINE_EXCEEDED);
    expect(seen).toEqual([1]);
  });
});
