// The request and turn token buckets through the real gateway process (real pool manager,
// agents, the scripted OpenAI server as the model), over WebSocket and gRPC: a user past a
// bucket is refused RESOURCE_EXHAUSTED with a retry hint (WebSocket error frame
// `retry_after_ms`; gRPC `grpc-retry-pushback-ms` / `retry-after` metadata), and another user
// is served as if nothing happened. The buckets themselves are unit-tested in
// gateway/src/admission/admission.test.ts.
import { ErrorCode } from '@warmgate/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedOpenAi, type ScriptedOpenAi } from '../fixtures/scripted-openai.js';
import { grpcCaller, wsCaller, type Caller, type Outcome } from '../reliability/support/callers.js';
import { startSplitStack, type SplitStack } from '../reliability/support/split-stack.js';
import { jwt } from '../support/tokens.js';

let llm: ScriptedOpenAi;
let stack: SplitStack;
const callers: Record<'ws' | 'grpc', Caller> = {} as never;

beforeAll(async () => {
  llm = await startScriptedOpenAi();
  stack = await startSplitStack({
    gatewayEnv: {
      WARMGATE_LLM_BASE_URL: llm.url,
      WARMGATE_LLM_API_KEY: 'test-key',
      // 3 requests at once, then 1 a second; 1 chat turn, then 1 a minute.
      WARMGATE_RATE_REQUESTS_PER_S: '1',
      WARMGATE_RATE_REQUESTS_BURST: '3',
      WARMGATE_RATE_TURNS_PER_MIN: '1',
      WARMGATE_RATE_TURNS_BURST: '1',
    },
  });
  callers.ws = wsCaller(stack.gateway.baseUrl);
  callers.grpc = grpcCaller(stack.gateway.grpcAddress);
}, 60_000);

afterAll(async () => {
  callers.grpc?.close();
  await stack?.close();
  await llm?.close();
});

const refusal = (outcome: Outcome) => (outcome.ok ? undefined : outcome);

describe.each(['ws', 'grpc'] as const)('token buckets over %s', (transport) => {
  it('refuses requests past the bucket with a retry hint; another user is unaffected', async () => {
    const caller = callers[transport];
    const greedy = await jwt({ sub: `${transport}-greedy` });
    // Six at once against a burst of 3 refilling at 1/s: some are refused at once.
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => caller.callTool(greedy, 'profile_get', {})),
    );
    const refused = outcomes.map(refusal).filter((o) => o !== undefined);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    for (const r of refused) {
      expect(r).toMatchObject({ code: ErrorCode.RESOURCE_EXHAUSTED });
      expect(r.message).toMatch(/request rate/);
      expect(r.retryAfterMs).toBeGreaterThan(0);
      expect(r.retryAfterMs).toBeLessThanOrEqual(1000);
    }
    expect(outcomes.some((o) => o.ok)).toBe(true);
    // Meanwhile another user's burst is whole.
    const other = await jwt({ sub: `${transport}-other` });
    const theirs = await Promise.all(
      Array.from({ length: 3 }, () => caller.callTool(other, 'profile_get', {})),
    );
    for (const outcome of theirs) expect(outcome).toMatchObject({ ok: true });
  });

  it('refuses a chat turn past the turn bucket with a retry hint; another user chats', async () => {
    const caller = callers[transport];
    const chatty = await jwt({ sub: `${transport}-chatty` });
    llm.script({ steps: [{ text: 'First.' }], usage: { prompt: 1, completion: 1 } });
    expect(await caller.chat(chatty, 'one')).toMatchObject({ ok: true, text: 'First.' });
    const asked = llm.requests.length;
    const second = await caller.chat(chatty, 'two');
    expect(second).toMatchObject({ ok: false, code: ErrorCode.RESOURCE_EXHAUSTED });
    const r = refusal(second)!;
    expect(r.message).toMatch(/chat turns/);
    // One turn a minute: the next one in up to a minute.
    expect(r.retryAfterMs).toBeGreaterThan(1000);
    expect(r.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(llm.requests.length).toBe(asked); // the model was not asked

    const quiet = await jwt({ sub: `${transport}-quiet` });
    llm.script({ steps: [{ text: 'Hello.' }], usage: { prompt: 1, completion: 1 } });
    expect(await caller.chat(quiet, 'hi')).toMatchObject({ ok: true, text: 'Hello.' });
  });
});
