// The MCP upstream against a real MCP server (the SDK's Server over Streamable HTTP) and a
// real gRPC Pool service, both on loopback.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuthMode, ErrorCode, WarmgateError, type gatewayv1 } from '@warmgate/proto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/core/ports.js';
import { createTurnRunner } from '../../src/core/turn/index.js';
import { createOfflineModel } from '../../src/llm/index.js';
import { createPlatformTools } from '../../src/platform/index.js';
import { createAgentConnector, type ClosableAgentConnector } from '../../src/upstream/index.js';
import { startAgentFixture, type AgentFixture } from './mcp-agent-fixture.js';
import { binding, startPoolFixture, type PoolFixture } from './pool-fixture.js';

const keyA = randomBytes(32);
const signal = () => new AbortController().signal;
const opts = () => ({ signal: signal() });

function who(
  userId: string,
  sessionId: string,
  mode = AuthMode.GATEWAY,
  credential?: string,
): Principal {
  return { sessionId, userId, tier: 'pro', mode, credential };
}

async function codeOf(promise: Promise<unknown>): Promise<ErrorCode | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return WarmgateError.from(error).code;
  }
}

/** Polls a condition (bounded): notifications arrive asynchronously. */
async function eventually(check: () => boolean | Promise<boolean>, what: string) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

let pool: PoolFixture;
let alice: AgentFixture;
const open: { close(): Promise<void> }[] = [];
let connector: ClosableAgentConnector;

beforeAll(async () => {
  pool = await startPoolFixture();
  alice = await startAgentFixture({ userId: 'alice', bindingId: 'b-alice', assertionKey: keyA });
  pool.bindings.set('alice', () => binding('alice', 'b-alice', alice.url, keyA));
});
afterAll(async () => {
  await alice.close();
  await pool.close();
});
afterEach(async () => {
  await connector?.close();
  for (const thing of open.splice(0)) await thing.close();
});

function newConnector(extra: Parameters<typeof createAgentConnector>[0] = {}) {
  connector = createAgentConnector({ poolAddress: pool.address, ...extra });
  return connector;
}

describe('agent connector', () => {
  it('lists user tools (internal ones hidden) with an assertion the agent verifies', async () => {
    const session = await newConnector().connect(who('alice', 's1'), opts());
    const tools = await session.listTools(opts());
    expect(tools.map((t) => t.name)).toEqual(['note_read', 'note_write', 'market_quote', 'slow']);
    expect(tools[1]).toMatchObject({
      route: 'user',
      annotations: { readOnly: false, destructive: true },
    });
    const assertion = alice.seen.assertions.at(-1)!;
    expect(assertion).toMatchObject({ sub: 'alice', aud: 'b-alice' });
    expect(assertion.exp! - assertion.iat!).toBeLessThanOrEqual(300);
  });

  it('shares one MCP session between the sessions of one user', async () => {
    const before = alice.seen.initializes;
    const c = newConnector();
    const one = await c.connect(who('alice', 's1'), opts());
    const two = await c.connect(who('alice', 's2'), opts());
    await Promise.all([one.listTools(opts()), two.listTools(opts())]);
    expect(alice.seen.initializes - before).toBe(1);
    // The first session leaving keeps it open; the last one leaving closes it.
    c.disconnect(who('alice', 's1'));
    await two.listTools(opts());
    expect(alice.seen.initializes - before).toBe(1);
    c.disconnect(who('alice', 's2'));
    await c.connect(who('alice', 's3'), opts());
    expect(alice.seen.initializes - before).toBe(2);
  });

  it('saves a turn after its session has gone, then closes the MCP session again', async () => {
    const c = newConnector();
    const base = alice.liveSessions();
    const session = await c.connect(who('alice', 'gone'), opts());
    await session.listTools(opts());
    expect(alice.liveSessions()).toBe(base + 1);
    c.disconnect(who('alice', 'gone'));
    await eventually(() => alice.liveSessions() === base, 'the MCP session to close');
    const at = new Date();
    const turn = {
      turnId: 'late',
      userText: 'q',
      answerText: 'partial',
      toolCalls: [],
      startedAt: at,
      finishedAt: at,
    };
    await session.appendTurn(turn, opts());
    expect(alice.seen.appended.at(-1)).toMatchObject({ turn_id: 'late' });
    await eventually(() => alice.liveSessions() === base, 'the re-opened MCP session to close');
  });

  it('calls tools and maps results, tool errors and refusals', async () => {
    const session = await newConnector().connect(who('alice', 's1'), opts());
    const ok = await session.callTool('note_read', { id: 7 }, opts());
    expect(ok.content[0]!.kind).toEqual({ case: 'text', value: 'note_read for alice: {"id":7}' });
    expect(ok.structuredContent).toEqual({ user: 'alice', args: { id: 7 } });
    const failed = await session.callTool('note_write', {}, opts());
    expect(failed.isError).toBe(true);
    expect(await codeOf(session.callTool('conversation_append', {}, opts()))).toBe(
      ErrorCode.NOT_FOUND,
    );
    expect(await codeOf(session.callTool('nope', {}, opts()))).toBe(ErrorCode.NOT_FOUND);
    expect(await codeOf(session.readResource('context://nope', opts()))).toBe(ErrorCode.NOT_FOUND);
  });

  it('serves context from a cache that resource updates invalidate', async () => {
    const session = await newConnector().connect(who('alice', 's1'), opts());
    const first = await session.context(opts());
    expect(first.profile).toContain('swing trader');
    expect(first.indicators).toBe('rsi_14');
    expect(alice.seen.subscriptions).toContain('context://workspace-state');
    const reads = alice.seen.reads.get('context://workspace-state')!;
    await session.context(opts());
    expect(alice.seen.reads.get('context://workspace-state')).toBe(reads);
    await alice.update('context://workspace-state', 'Chart: MSFT 1d');
    await eventually(
      async () => (await session.context(opts())).workspaceState === 'Chart: MSFT 1d',
      'the update',
    );
    expect(alice.seen.reads.get('context://workspace-state')).toBe(reads + 1);
    expect(alice.seen.reads.get('context://user-profile')).toBe(
      alice.seen.reads.get('context://user-profile'),
    );
    await alice.update('context://workspace-state', 'Chart: AAPL 1h');
  });

  it('propagates cancellation and per-call timeouts to the agent', async () => {
    const session = await newConnector().connect(who('alice', 's1'), opts());
    const controller = new AbortController();
    const slowCalls = () => alice.seen.calls.filter((call) => call.name === 'slow').length;
    const cancelled = alice.seen.cancelled.length;
    // Cancel once the agent has the call. A fixed 50 ms timer raced the first call's tools/list
    // and tools/call: only an agent fixture warmed by the earlier cases got the call in time;
    // alone (`-t`) the abort came first, nothing was sent and the agent saw no cancellation.
    const before = slowCalls();
    const call = session.callTool('slow', {}, { signal: controller.signal });
    await eventually(() => slowCalls() > before, 'the agent to get the call');
    controller.abort();
    expect(await codeOf(call)).toBe(ErrorCode.CANCELLED);
    await eventually(
      () => alice.seen.cancelled.length > cancelled,
      'the agent to see the cancellation',
    );
    // A deadline the call outlives: the agent has it well before (the tool list is cached now).
    expect(await codeOf(session.callTool('slow', {}, { signal: signal(), timeoutMs: 500 }))).toBe(
      ErrorCode.DEADLINE_EXCEEDED,
    );
    await eventually(
      () => alice.seen.cancelled.length > cancelled + 1,
      'the agent to see the timeout',
    );
  });

  it('saves turns through the internal conversation_append tool', async () => {
    const session = await newConnector().connect(who('alice', 's1'), opts());
    const at = new Date('2026-11-24T08:00:00Z');
    await session.appendTurn(
      {
        turnId: 't1',
        userText: 'hi',
        answerText: 'hello',
        toolCalls: [{ name: 'note_read', isError: false }],
        startedAt: at,
        finishedAt: at,
      },
      opts(),
    );
    expect(alice.seen.appended.at(-1)).toMatchObject({
      turn_id: 't1',
      user_text: 'hi',
      answer_text: 'hello',
    });
  });

  it('re-acquires with stale_binding_id when the agent stops answering', async () => {
    const key = randomBytes(32);
    const first = await startAgentFixture({
      userId: 'bob',
      bindingId: 'b-bob-1',
      assertionKey: key,
    });
    const second = await startAgentFixture({
      userId: 'bob',
      bindingId: 'b-bob-2',
      assertionKey: key,
    });
    open.push(second);
    pool.bindings.set('bob', (stale) =>
      stale === 'b-bob-1'
        ? binding('bob', 'b-bob-2', second.url, key)
        : binding('bob', 'b-bob-1', first.url, key),
    );
    const session = await newConnector().connect(who('bob', 's1'), opts());
    await session.listTools(opts());
    await first.close();
    const result = await session.callTool('note_read', {}, opts());
    expect(result.content[0]!.kind.value).toContain('for bob');
    expect(pool.acquires.filter((a) => a.userId === 'bob').map((a) => a.staleBindingId)).toEqual([
      '',
      'b-bob-1',
    ]);
    expect(second.seen.calls.map((c) => c.name)).toEqual(['note_read']);
  });

  it('touches the binding and re-acquires when the pool says it is gone', async () => {
    const session = await newConnector({ touchIntervalMs: 0 }).connect(who('alice', 's1'), opts());
    const acquiresBefore = pool.acquires.length;
    pool.bound = false;
    try {
      await session.listTools(opts());
      await eventually(() => pool.touches.length > 0, 'a touch');
      pool.bound = true;
      await eventually(async () => {
        await session.listTools(opts());
        return pool.acquires.length > acquiresBefore;
      }, 'a new acquire');
    } finally {
      pool.bound = true;
    }
  });

  it('direct mode forwards each session its own credential and never shares a session', async () => {
    const carol = await startAgentFixture({
      userId: 'carol',
      bindingId: 'b-carol',
      assertionKey: keyA,
      credential: 'jwe-carol',
    });
    open.push(carol);
    pool.bindings.set('carol', () => binding('carol', 'b-carol', carol.url, keyA));
    const c = newConnector();
    const one = await c.connect(who('carol', 'd1', AuthMode.DIRECT, 'jwe-carol'), opts());
    await one.listTools(opts());
    await c.connect(who('carol', 'd2', AuthMode.DIRECT, 'jwe-carol'), opts());
    expect(carol.seen.initializes).toBe(2);
    // A client claiming to be carol with some other credential is refused by the agent.
    const forged = c.connect(who('carol', 'd3', AuthMode.DIRECT, 'jwe-mallory'), opts());
    expect(await codeOf(forged)).toBe(ErrorCode.UNAUTHENTICATED);
    expect(carol.seen.refused).toContain('jwe-mallory');
  });

  it('refuses a binding of another user from the pool manager', async () => {
    pool.bindings.set('eve', () => binding('alice', 'b-alice', alice.url, keyA));
    expect(await codeOf(newConnector().connect(who('eve', 'e1'), opts()))).toBe(ErrorCode.INTERNAL);
  });

  it('runs a chat turn end to end: context, a user tool via /call, the turn saved', async () => {
    const c = newConnector();
    const principal = who('alice', 's9');
    const agent = await c.connect(principal, opts());
    const runner = createTurnRunner({
      model: createOfflineModel(),
      platform: createPlatformTools(),
      maxToolRounds: 2,
      toolTimeoutMs: 2_000,
      turnTimeoutMs: 10_000,
    });
    const events: gatewayv1.ChatResponse[] = [];
    await runner.run(
      { principal, turnId: 'e2e', text: '/call user_market_quote {"symbol":"X"}', agent },
      (e) => events.push(e),
      signal(),
    );
    const final = events.at(-1)!.kind;
    expect(final.case).toBe('final');
    expect(final.case === 'final' && final.value.text).toContain('market_quote for alice');
    expect(alice.seen.appended.at(-1)).toMatchObject({ turn_id: 'e2e' });
  });
});
