// Forged direct-mode credentials against a real pool manager that verifies them: the gateway
// cannot read a JWE, so the pool manager's Acquire is the verification. A client repeating a
// forged credential must not cost one pool-manager call per request: the gateway remembers
// the refusal (docs/reliability.md).
import { loadConfig, startPoolManager, type RunningPoolManager } from '@warmgate/pool-manager';
import { AuthMode, ErrorCode, WarmgateError } from '@warmgate/proto';
import { makePoolSandbox, poolClient, type PoolSandbox } from '@warmgate/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/core/ports.js';
import { createPoolApi, type PoolApi } from '../../src/upstream/pool-client.js';
import { createAgentConnector, type ClosableAgentConnector } from '../../src/upstream/index.js';
import { makeDirectKeys, type DirectKeys } from '../reliability/support/direct-keys.js';

let sandbox: PoolSandbox;
let pool: RunningPoolManager;
let client: PoolApi & { close(): void };
let connector: ClosableAgentConnector;
let keys: DirectKeys;
/** Acquire calls that reached the pool manager. */
let acquires = 0;

beforeAll(async () => {
  keys = await makeDirectKeys();
  // No warm containers: a refused credential is refused before anything is acquired.
  sandbox = makePoolSandbox({ WARMGATE_POOL_PROFILES: 'standard:min=0:max=2', ...keys.agentEnv });
  pool = await startPoolManager(loadConfig({ ...sandbox.env, WARMGATE_POOL_PORT: '0' }));
  client = createPoolApi(pool.address, sandbox.env.WARMGATE_POOL_SECRET);
  const counting: PoolApi = {
    acquire: (request, options) => {
      acquires++;
      return client.acquire(request, options);
    },
    touch: (request, options) => client.touch(request, options),
  };
  connector = createAgentConnector({ pool: counting, connectTimeoutMs: 20_000 });
});

afterAll(async () => {
  await connector?.close();
  client?.close();
  await pool?.close();
  sandbox?.cleanup();
});

const direct = (sessionId: string, credential: string, userId = 'erin'): Principal => ({
  sessionId,
  userId,
  tier: 'enterprise',
  mode: AuthMode.DIRECT,
  credential,
});

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'connected',
    (error: unknown) => WarmgateError.from(error).code,
  );

describe('forged direct-mode credentials', () => {
  it('cost one pool-manager verification per credential, not one per request', async () => {
    const forged = await keys.credential('erin', { untrustedIssuer: true });
    const n = 20;
    for (let i = 0; i < n; i++) {
      const attempt = connector.connect(direct(`forged-${i}`, forged), {
        signal: AbortSignal.timeout(20_000),
      });
      expect(await codeOf(attempt)).toBe(ErrorCode.UNAUTHENTICATED);
    }
    expect(acquires).toBe(1);

    // Another forgery (encrypted to a key that is not the agent's) is verified once too.
    const other = await keys.credential('erin', { wrongRecipient: true });
    for (let i = 0; i < n; i++) {
      const attempt = connector.connect(direct(`other-${i}`, other), {
        signal: AbortSignal.timeout(20_000),
      });
      expect(await codeOf(attempt)).toBe(ErrorCode.UNAUTHENTICATED);
    }
    expect(acquires).toBe(2);
  });

  it("a refusal of a user's credential sent with another user's id does not refuse it for its user", async () => {
    // The pool manager refuses erin's valid credential sent with mallory's id
    // (PERMISSION_DENIED). Whoever holds erin's credential must not get it refused for erin.
    const erins = await keys.credential('erin');
    const before = acquires;
    for (let i = 0; i < 3; i++) {
      const borrowed = connector.connect(direct(`borrowed-${i}`, erins, 'mallory'), {
        signal: AbortSignal.timeout(20_000),
      });
      expect(await codeOf(borrowed)).toBe(ErrorCode.PERMISSION_DENIED);
    }
    expect(acquires).toBe(before + 1);
    // erin's own request reaches the pool manager, which binds her. (Serving her is not this
    // test's concern: this in-process pool manager's containers get the direct-mode keys
    // from the test process's environment, which has none, so her agent answers 401.)
    const own = direct('erin-own', erins);
    const outcome = await codeOf(connector.connect(own, { signal: AbortSignal.timeout(20_000) }));
    connector.disconnect(own);
    expect(outcome).not.toBe(ErrorCode.PERMISSION_DENIED);
    expect(acquires).toBe(before + 2);
    const status = poolClient(pool.address, sandbox.env.WARMGATE_POOL_SECRET);
    try {
      const { binding } = await status.getStatus({ userId: 'erin' });
      expect(binding).toMatchObject({ userId: 'erin', mode: AuthMode.DIRECT });
    } finally {
      status.close();
    }
  });
});
