// kill -9 of the pool manager, on the real split stack: the gateway keeps serving users who
// are already bound (their agents live on: containers are separate process groups), fails
// new users clearly (UNAVAILABLE, in bounded time), and recovers when a pool manager returns
// on the same state dir (it adopts the running containers).
import { ErrorCode } from '@warmgate/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwt } from '../support/tokens.js';
import { grpcCaller, type Caller, type Outcome } from './support/callers.js';
import { bindingIdOf } from './support/faults.js';
import { startSplitStack, type SplitStack } from './support/split-stack.js';

let stack: SplitStack;
let caller: Caller;
const faults = { injected: 0, survived: 0 };

beforeAll(async () => {
  stack = await startSplitStack();
  caller = grpcCaller(stack.gateway.grpcAddress);
}, 60_000);

afterAll(async () => {
  console.log(`faults pool-manager-kill: ${faults.injected} injected, ${faults.survived} survived`);
  caller?.close();
  await stack?.close();
});

const save = (token: string, name: string) =>
  caller.callTool(token, 'indicator_save', { name, spec: { indicator: 'ema', period: 9 } });
const okTool = (outcome: Outcome) => outcome.ok && outcome.toolError === undefined;

/** Retries (bounded) until the call succeeds; returns the last outcome. */
async function eventually(call: () => Promise<Outcome>, timeoutMs = 30_000): Promise<Outcome> {
  const deadline = Date.now() + timeoutMs;
  let last = await call();
  while (!okTool(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await call();
  }
  return last;
}

describe('kill -9 of the pool manager', () => {
  it('bound users keep being served, new users fail clearly, and all recover when it returns', async () => {
    const alice = await jwt({ sub: 'alice' });
    const bob = await jwt({ sub: 'bob' });
    expect(okTool(await save(alice, 'before'))).toBe(true);
    const aliceBinding = await bindingIdOf(stack, 'alice');

    await stack.killPool9();
    faults.injected++;

    // Alice's agent is alive and her MCP session open: reads and writes go on.
    expect(okTool(await caller.callTool(alice, 'indicator_get', { name: 'before' }))).toBe(true);
    expect(okTool(await save(alice, 'during'))).toBe(true);
    // Bob needs a binding, which only the pool manager gives: a clear, retryable error.
    const started = Date.now();
    const refused = await caller.callTool(bob, 'profile_get', {});
    expect(refused).toMatchObject({ ok: false, code: ErrorCode.UNAVAILABLE });
    expect(Date.now() - started).toBeLessThan(30_000); // bounded, not a hang
    // The gateway itself stays up.
    expect(await stack.gateway.healthy()).toBe(true);

    await stack.restartPool();
    expect(okTool(await eventually(() => caller.callTool(bob, 'profile_get', {})))).toBe(true);
    expect(okTool(await save(alice, 'after'))).toBe(true);
    // The restarted pool manager adopted Alice's running container: same binding.
    expect(await bindingIdOf(stack, 'alice')).toBe(aliceBinding);
    const files = await stack.git('alice', 'ls-tree', '--name-only', 'HEAD', 'indicators/');
    expect(files.split('\n')).toEqual(
      expect.arrayContaining([
        'indicators/before.json',
        'indicators/during.json',
        'indicators/after.json',
      ]),
    );
    await stack.git('alice', 'fsck', '--full', '--strict');
    faults.survived++;
  });
});
