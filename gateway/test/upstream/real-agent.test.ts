// The upstream against the REAL stack: an in-process pool manager with the local-process
// runtime, which runs real agent + sidecar processes (agent/dist/main.js, so build first) over
// git workspaces in a throw-away store. Nothing here is faked.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, startPoolManager, type RunningPoolManager } from '@warmgate/pool-manager';
import type { poolv1 } from '@warmgate/proto';
import { AuthMode, ErrorCode, WarmgateError, type gatewayv1 } from '@warmgate/proto';
import { poolClient, TEST_POOL_SECRET } from '@warmgate/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentHandle, Principal } from '../../src/core/ports.js';
import { loadConfig as loadGatewayConfig } from '../../src/config.js';
import { createToolCatalog } from '../../src/core/tools/index.js';
import { createTurnRunner } from '../../src/core/turn/index.js';
import { createOfflineModel } from '../../src/llm/index.js';
import { createPlatformTools } from '../../src/platform/index.js';
import { createAgentConnector, type ClosableAgentConnector } from '../../src/upstream/index.js';

let dir: string;
let pool: RunningPoolManager;
let connector: ClosableAgentConnector;
const platform = createPlatformTools();
const catalog = createToolCatalog(platform);
const opts = () => ({ signal: AbortSignal.timeout(20_000) });

function who(userId: string, mode = AuthMode.GATEWAY, tier = 'pro'): Principal {
  return { sessionId: `s-${userId}`, userId, tier, mode };
}

/** Polls every 50 ms, at most `timeoutMs` (processes start slowly on a busy machine). */
async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
) {
  for (let i = 0; i < timeoutMs / 50; i++) {
    const value = await check();
    if (value) return value;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function codeOf(promise: Promise<unknown>) {
  return promise.then(
    () => undefined,
    (error) => WarmgateError.from(error).code,
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warmgate-gw-upstream-'));
  const config = loadConfig({
    WARMGATE_POOL_HOST: '127.0.0.1',
    WARMGATE_POOL_PORT: '0',
    WARMGATE_POOL_METRICS_PORT: '0',
    WARMGATE_POOL_STATE_DIR: join(dir, 'containers'),
    WARMGATE_STORE_DIR: join(dir, 'store'),
    WARMGATE_POOL_PROFILES: 'standard:min=2:max=6',
    WARMGATE_POOL_ADAPTIVE: 'false',
    WARMGATE_POOL_KILL_GRACE: '1s',
    WARMGATE_POOL_SHUTDOWN_GRACE: '10s',
    WARMGATE_POOL_SECRET: TEST_POOL_SECRET,
  });
  pool = await startPoolManager(config, { log: () => {} });
  const status = poolClient(pool.address);
  try {
    await eventually(
      '2 warm agents',
      async () => {
        const { state } = await status.getStatus({});
        return (state?.profiles[0]?.warm ?? 0) >= 2;
      },
      45_000,
    );
  } finally {
    status.close();
  }
  connector = createAgentConnector({ poolAddress: pool.address, poolSecret: TEST_POOL_SECRET });
}, 90_000);

afterAll(async () => {
  await connector?.close();
  await pool?.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('upstream with a real pool manager and real agents', () => {
  let alice: AgentHandle;

  it('binds the user and lists the user tools, internal ones hidden', async () => {
    alice = await connector.connect(who('alice'), opts());
    const names = (await catalog.list(alice, who('alice'), opts())).map((t) => t.name);
    expect(names).toContain('market_quote');
    expect(names).toContain('workspace_set_chart');
    expect(names).toContain('profile_update');
    expect(names).not.toContain('conversation_append');
  });

  it('reads every context resource', async () => {
    const context = await alice.context(opts());
    for (const uri of [
      'context://user-profile',
      'context://workspace-state',
      'indicators://list',
    ]) {
      const read = await alice.readResource(uri, opts());
      expect(read.contents[0]?.uri).toBe(uri);
    }
    expect(context.workspaceState).not.toBe('');
  });

  it('sees its own writes through the subscribed context cache', async () => {
    const result = await catalog.call(
      alice,
      who('alice'),
      'workspace_set_chart',
      { symbol: 'MSFT', timeframe: '1d' },
      opts(),
    );
    expect(result.isError).toBe(false);
    await eventually('the workspace state to show MSFT', async () =>
      (await alice.context(opts())).workspaceState.includes('MSFT'),
    );
  });

  it('runs a turn with a user tool and saves it to the conversation', async () => {
    const runner = createTurnRunner({
      model: createOfflineModel(),
      platform,
      catalog,
      maxToolRounds: 2,
      toolTimeoutMs: 10_000,
      turnTimeoutMs: 20_000,
    });
    const events: gatewayv1.ChatResponse[] = [];
    await runner.run(
      {
        principal: who('alice'),
        turnId: 'turn-real-1',
        text: '/call workspace_get {}',
        agent: alice,
      },
      (e) => events.push(e),
      AbortSignal.timeout(20_000),
    );
    const last = events.at(-1)!.kind;
    expect(last.case).toBe('final');
    expect(last.case === 'final' && last.value.text).toContain('MSFT');
    await eventually('the conversation summary to show the turn', async () =>
      (await alice.context(opts())).conversationSummary.includes('/call workspace_get'),
    );
  });

  it('keeps users apart: another user gets another agent and sees none of it', async () => {
    const bob = await connector.connect(who('bob'), opts());
    const context = await bob.context(opts());
    expect(context.workspaceState).not.toContain('MSFT');
    expect(context.conversationSummary).not.toContain('workspace_get');
  });

  it('replaces an agent that died, through stale_binding_id, with the data intact', async () => {
    const status = poolClient(pool.address);
    let before: poolv1.Binding | undefined;
    try {
      before = (await status.getStatus({ userId: 'alice' })).binding;
      const record = JSON.parse(
        readFileSync(join(dir, 'containers', before!.containerId, 'container.json'), 'utf8'),
      ) as { agent: { pid: number } };
      process.kill(record.agent.pid, 'SIGKILL');
      // The next call finds the agent gone, re-acquires and retries on the new one.
      const state = await catalog.call(alice, who('alice'), 'workspace_get', {}, opts());
      expect(JSON.stringify(state.structuredContent)).toContain('MSFT');
      const after = (await status.getStatus({ userId: 'alice' })).binding;
      expect(after?.bindingId).not.toBe(before!.bindingId);
    } finally {
      status.close();
    }
  });

  it('gives a public session read-only tools on an ephemeral workspace', async () => {
    const anonymous = who('public-abc', AuthMode.PUBLIC, 'free');
    const session = await connector.connect(anonymous, opts());
    const names = (await catalog.list(session, anonymous, opts())).map((t) => t.name);
    expect(names).toContain('workspace_get');
    expect(names).not.toContain('workspace_set_chart');
    // The agent lists no write tools to a public session at all; the gateway's own read-only
    // rule (tested with the fixture agent) would refuse them with PERMISSION_DENIED.
    const refused = catalog.call(
      session,
      anonymous,
      'workspace_set_chart',
      { symbol: 'X' },
      opts(),
    );
    expect(await codeOf(refused)).toBe(ErrorCode.NOT_FOUND);
    connector.disconnect(anonymous);
  });

  // The gateway gives public sessions the tier WARMGATE_AUTH_PUBLIC_TIER (default "free"),
  // one the pool manager's default tiers know; this was once an integration fault.
  it('acquires for a public session with the default tiers of both sides', async () => {
    const anonymous = who('public-def', AuthMode.PUBLIC, loadGatewayConfig({}).auth.publicTier);
    await connector.connect(anonymous, opts());
  });

  it('maps agent refusals to precise codes', async () => {
    expect(
      await codeOf(
        catalog.call(alice, who('alice'), 'workspace_set_chart', { timeframe: 'nope' }, opts()),
      ),
    ).toBe(
      undefined, // a tool that ran and refused: an is_error result, not an RPC error
    );
    const refused = await catalog.call(
      alice,
      who('alice'),
      'workspace_set_chart',
      { timeframe: 'nope' },
      opts(),
    );
    expect(refused.isError).toBe(true);
    expect(await codeOf(alice.readResource('strategies://no-such-strategy', opts()))).toBe(
      ErrorCode.NOT_FOUND,
    );
  });
});
