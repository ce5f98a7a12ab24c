// Forged direct-mode credentials against a real pool manager that verifies them: the gateway
// cannot read a JWE, so the pool manager's Acquire is the verification. A client repeating a
// forged credential must not cost one pool-manager call per request: the gateway remembers
// the refusal (docs/reliability.md).
import { loadConfig, startPoolManager, type RunningPoolManager } from '@warmgate/pool-manager';
import { AuthMode, ErrorCode, WarmgateError } from '@warmgate/proto';
import { makePoolSandbox, type PoolSandbox } from '@warmgate/testkit';
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

const direct = (sessionId: string, credential: string): Principal => ({
  sessionId,
  userId: 'erin',
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
});
