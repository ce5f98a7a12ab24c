// Anonymous (public-mode) calls must not be a way to exhaust the pool: a public session gets
// an ephemeral container, which should end with the session. Over gRPC, every unary call
// without a token is its own public session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwt } from '../support/tokens.js';
import { grpcCaller, type Caller } from './support/callers.js';
import { startSplitStack, type SplitStack } from './support/split-stack.js';

let stack: SplitStack;
let caller: Caller;

beforeAll(async () => {
  stack = await startSplitStack({ poolEnv: { WARMGATE_POOL_PROFILES: 'standard:min=1:max=6' } });
  caller = grpcCaller(stack.gateway.grpcAddress);
}, 60_000);

afterAll(async () => {
  caller?.close();
  await stack?.close();
});

const bindings = async () => (await stack.poolClient().getStatus({})).state?.bindings ?? 0;

describe('public sessions', () => {
  // Was a bug (fixed in fe639ad): every anonymous unary gRPC call became a public session of
  // its own, each holding a container until the public idle timeout, so a few filled the pool.
  // Public gRPC sessions are now one per connection.
  it('a burst of anonymous unary gRPC calls leaves the pool free for signed-in users', async () => {
    const before = await bindings();
    for (let i = 0; i < 8; i++) await caller.listTools(undefined);
    expect(await bindings()).toBeLessThanOrEqual(before + 1);
    const paying = await caller.callTool(
      await jwt({ sub: 'paula', tier: 'pro' }),
      'profile_get',
      {},
    );
    expect(paying).toMatchObject({ ok: true });
  });
});
