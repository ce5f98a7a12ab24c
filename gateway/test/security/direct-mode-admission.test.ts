// Direct-mode admission on the real stack (pool manager verifying JWEs, real agents, the
// gateway process, the scripted OpenAI server as the model): the LLM budget and the request
// rate count a direct-mode user by the claims the pool manager verified, never by the JWE's
// protected header, which whoever encrypts the JWE writes (here it says tier "enterprise").
import { ErrorCode } from '@warmgate/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedOpenAi, type ScriptedOpenAi } from '../fixtures/scripted-openai.js';
import { grpcCaller, type Caller } from '../reliability/support/callers.js';
import { startSplitStack, type SplitStack } from '../reliability/support/split-stack.js';

let llm: ScriptedOpenAi;
let stack: SplitStack;
let caller: Caller;

beforeAll(async () => {
  llm = await startScriptedOpenAi();
  stack = await startSplitStack({
    gatewayEnv: {
      WARMGATE_LLM_BASE_URL: llm.url,
      WARMGATE_LLM_API_KEY: 'test-key',
      // free: 50 tokens a day; enterprise: plenty. The credentials' claims carry no tier
      // (free); their headers claim enterprise.
      WARMGATE_LLM_DAILY_TOKENS: 'free=50,enterprise=1000000,*=50',
      WARMGATE_RATE_REQUESTS_PER_S: '1',
      WARMGATE_RATE_REQUESTS_BURST: '4',
    },
  });
  caller = grpcCaller(stack.gateway.grpcAddress);
}, 60_000);

afterAll(async () => {
  caller?.close();
  await stack?.close();
  await llm?.close();
});

describe('direct mode: admission on verified claims', () => {
  it('charges and refuses turns on the verified tier, not the header tier', async () => {
    const dora = await stack.keys.credential('dora');
    llm.script({ steps: [{ text: 'Hi.' }], usage: { prompt: 40, completion: 20 } });
    expect(await caller.chat(dora, 'hello')).toMatchObject({ ok: true, text: 'Hi.' });
    // 60 tokens spent: over free's 50, far under the header's enterprise budget.
    const refused = await caller.chat(dora, 'again');
    expect(refused).toMatchObject({ ok: false, code: ErrorCode.RESOURCE_EXHAUSTED });
    expect(refused.ok === false && refused.message).toContain('tier free');
    expect(llm.requests).toHaveLength(1); // the model was not asked again
  });

  it("a credential nobody verified does not spend the named user's request rate", async () => {
    // Ten forged credentials naming erin (untrusted issuer) at once, over erin's burst of 4:
    // each is refused as unauthenticated, none as over a rate (which would mean erin's bucket).
    const forged = await Promise.all(
      Array.from({ length: 10 }, () => stack.keys.credential('erin', { untrustedIssuer: true })),
    );
    const outcomes = await Promise.all(forged.map((f) => caller.callTool(f, 'profile_get', {})));
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ ok: false, code: ErrorCode.UNAUTHENTICATED });
    }
    // erin's own bucket is whole, and it is hers: a burst past it is refused.
    const erin = await stack.keys.credential('erin');
    expect(await caller.callTool(erin, 'profile_get', {})).toMatchObject({ ok: true });
    const burst = await Promise.all(
      Array.from({ length: 8 }, () => caller.callTool(erin, 'profile_get', {})),
    );
    const codes = burst.map((o) => (o.ok ? 'ok' : o.code));
    expect(codes).toContain('ok');
    expect(codes).toContain(ErrorCode.RESOURCE_EXHAUSTED);
  });
});
