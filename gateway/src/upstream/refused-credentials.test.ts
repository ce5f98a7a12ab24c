import { AuthMode, ErrorCode, WarmgateError, errors, type poolv1 } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import type { PoolApi } from './pool-client.js';
import { rememberRefusedCredentials } from './refused-credentials.js';

/** A pool that answers each acquire with the next outcome and counts the calls. */
function scriptedPool(outcome: (credential: string, userId: string) => Error | undefined) {
  const calls: string[] = [];
  const pool: PoolApi = {
    async acquire(request) {
      calls.push(request.credential ?? '');
      const error = outcome(request.credential ?? '', request.userId);
      if (error) throw error;
      return {} as poolv1.AcquireResponse;
    },
    touch: async () => ({}) as poolv1.TouchResponse,
  };
  return { pool, calls };
}

const request = (credential?: string, userId = 'erin') => ({
  userId,
  tier: 'free',
  mode: AuthMode.DIRECT,
  staleBindingId: '',
  ...(credential === undefined ? {} : { credential }),
});
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) => WarmgateError.from(error).code,
  );

describe('rememberRefusedCredentials', () => {
  it('answers a refused credential itself until the TTL, then asks again', async () => {
    let clock = 0;
    const { pool, calls } = scriptedPool(() => errors.unauthenticated('credential refused'));
    const remembering = rememberRefusedCredentials(pool, { ttlMs: 1_000, now: () => clock });
    for (let i = 0; i < 5; i++) {
      expect(await codeOf(remembering.acquire(request('forged'), {}))).toBe(
        ErrorCode.UNAUTHENTICATED,
      );
    }
    expect(calls).toHaveLength(1);
    clock = 1_000;
    await codeOf(remembering.acquire(request('forged'), {}));
    expect(calls).toHaveLength(2);
  });

  it('never remembers an unavailable pool, an accepted credential or a gateway-mode acquire', async () => {
    let failure: Error | undefined = errors.unavailable('pool manager down');
    const { pool, calls } = scriptedPool(() => failure);
    const remembering = rememberRefusedCredentials(pool);
    expect(await codeOf(remembering.acquire(request('good'), {}))).toBe(ErrorCode.UNAVAILABLE);
    failure = undefined;
    expect(await codeOf(remembering.acquire(request('good'), {}))).toBe('ok');
    expect(await codeOf(remembering.acquire(request('good'), {}))).toBe('ok');
    expect(await codeOf(remembering.acquire(request(), {}))).toBe('ok');
    expect(calls).toHaveLength(4);
  });

  it('holds at most `max` refusals, forgetting the oldest', async () => {
    const { pool, calls } = scriptedPool(() => errors.unauthenticated('refused'));
    const remembering = rememberRefusedCredentials(pool, { max: 2 });
    for (const credential of ['a', 'b', 'c', 'a']) {
      await codeOf(remembering.acquire(request(credential), {}));
    }
    expect(calls).toEqual(['a', 'b', 'c', 'a']); // a was forgotten when c came
    await codeOf(remembering.acquire(request('a'), {}));
    expect(calls).toHaveLength(4);
  });

  it("never refuses a user's credential for a refusal of it sent with another user's id", async () => {
    // The pool manager refuses erin's valid credential sent with mallory's id; whoever holds
    // erin's credential must not be able to get it refused for erin.
    const { pool, calls } = scriptedPool((_credential, userId) =>
      userId === 'erin' ? undefined : errors.permissionDenied('issued to another user'),
    );
    const remembering = rememberRefusedCredentials(pool);
    for (let i = 0; i < 3; i++) {
      expect(await codeOf(remembering.acquire(request('erins', 'mallory'), {}))).toBe(
        ErrorCode.PERMISSION_DENIED,
      );
    }
    expect(calls).toHaveLength(1);
    expect(await codeOf(remembering.acquire(request('erins', 'erin'), {}))).toBe('ok');
    expect(calls).toHaveLength(2);
    // The refusal for mallory is still remembered.
    await codeOf(remembering.acquire(request('erins', 'mallory'), {}));
    expect(calls).toHaveLength(2);
  });
});
