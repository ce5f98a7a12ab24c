// Direct mode on the real stack: the pool manager verifies the client's JWE before it
// acquires anything, binds with the tier of the verified claims (not the JWE header's), and
// never serves a user in a mode other than the one they are bound in.
import { AuthMode, ErrorCode, WarmgateError } from '@warmgate/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwt } from '../support/tokens.js';
import { grpcCaller, type Caller } from '../reliability/support/callers.js';
import { startSplitStack, type SplitStack } from '../reliability/support/split-stack.js';

let stack: SplitStack;
let caller: Caller;

beforeAll(async () => {
  stack = await startSplitStack();
  caller = grpcCaller(stack.gateway.grpcAddress);
}, 60_000);

afterAll(async () => {
  caller?.close();
  await stack?.close();
});

const bindingOf = async (userId: string) =>
  (await stack.poolClient().getStatus({ userId }, { timeoutMs: 5_000 })).binding;

const acquireFailure = (request: {
  userId: string;
  mode: AuthMode;
  credential?: string;
}): Promise<WarmgateError | undefined> =>
  stack
    .poolClient()
    .acquire({ tier: 'enterprise', staleBindingId: '', ...request }, { timeoutMs: 15_000 })
    .then(
      () => undefined,
      (error: unknown) => WarmgateError.from(error),
    );

describe('direct mode: acquires only on verified claims', () => {
  it('binds a valid credential with the tier of its claims, not of its header', async () => {
    // The JWE header says tier "enterprise" (8 h); the verified claims carry none: free.
    const outcome = await caller.callTool(await stack.keys.credential('dora'), 'profile_get', {});
    expect(outcome).toMatchObject({ ok: true });
    expect(await bindingOf('dora')).toMatchObject({ mode: AuthMode.DIRECT, tier: 'free' });
  });

  it('acquires nothing for a credential nobody could verify', async () => {
    const forged = await stack.keys.credential('victor', { untrustedIssuer: true });
    expect(
      await acquireFailure({ userId: 'victor', mode: AuthMode.DIRECT, credential: forged }),
    ).toMatchObject({ code: ErrorCode.UNAUTHENTICATED });
    expect(await acquireFailure({ userId: 'victor', mode: AuthMode.DIRECT })).toMatchObject({
      code: ErrorCode.UNAUTHENTICATED,
    });
    // A valid credential of eve cannot acquire for victor.
    const eve = await stack.keys.credential('eve');
    expect(
      await acquireFailure({ userId: 'victor', mode: AuthMode.DIRECT, credential: eve }),
    ).toMatchObject({ code: ErrorCode.PERMISSION_DENIED });
    // Through the gateway, a JWE whose header names victor but whose claims are eve's.
    const borrowed = await stack.keys.credential('eve', { headerSub: 'victor' });
    expect(await caller.callTool(borrowed, 'profile_get', {})).toMatchObject({ ok: false });
    expect(await bindingOf('victor')).toBeUndefined();
  });

  it('refuses a direct-mode acquire for a user bound in gateway mode, and the reverse', async () => {
    expect(
      await caller.callTool(await jwt({ sub: 'alice', tier: 'pro' }), 'profile_get', {}),
    ).toMatchObject({ ok: true });
    expect(
      await caller.callTool(await stack.keys.credential('alice'), 'profile_get', {}),
    ).toMatchObject({ ok: false, code: ErrorCode.FAILED_PRECONDITION });
    expect(await bindingOf('alice')).toMatchObject({ mode: AuthMode.GATEWAY });

    expect(
      await caller.callTool(await stack.keys.credential('dan'), 'profile_get', {}),
    ).toMatchObject({ ok: true });
    expect(
      await caller.callTool(await jwt({ sub: 'dan', tier: 'pro' }), 'profile_get', {}),
    ).toMatchObject({ ok: false, code: ErrorCode.FAILED_PRECONDITION });
  });
});
