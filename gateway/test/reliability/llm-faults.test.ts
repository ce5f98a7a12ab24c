// The LLM endpoint misbehaves, seen end to end through a gateway process (gateway/dist) in
// front of the scripted OpenAI server (gateway/test/fixtures/scripted-openai.ts): HTTP
// errors, a provider that answers too late, a malformed stream, a stream that hangs. Each
// turn ends with a specific error event on the client's stream (never a hang, never a
// dropped connection); the gateway stays responsive meanwhile, and the next turn works.
import { ErrorCode } from '@warmgate/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startScriptedOpenAi,
  type Reply,
  type ScriptedOpenAi,
} from '../fixtures/scripted-openai.js';
import { startFuzzTarget, type FuzzTarget } from '../fuzz/fuzz-target.js';
import { jwt } from '../support/tokens.js';
import { grpcCaller, wsCaller, type Caller } from './support/callers.js';

let llm: ScriptedOpenAi;
let gateway: FuzzTarget;
let callers: Caller[];
let token: string;
const faults = { injected: 0, survived: 0 };

beforeAll(async () => {
  llm = await startScriptedOpenAi();
  gateway = await startFuzzTarget({
    WARMGATE_LLM_BASE_URL: llm.url,
    WARMGATE_LLM_API_KEY: 'test-key',
    WARMGATE_LLM_MODEL: 'scripted-model',
    WARMGATE_LLM_TIMEOUT_MS: '700',
    WARMGATE_TURN_TIMEOUT_MS: '4000',
  });
  callers = [grpcCaller(gateway.grpcAddress), wsCaller(gateway.baseUrl)];
  token = await jwt({ sub: 'alice' });
}, 60_000);

afterAll(async () => {
  console.log(`faults llm: ${faults.injected} injected, ${faults.survived} survived`);
  for (const caller of callers ?? []) caller.close();
  await gateway?.close();
  await llm?.close();
});

// Retryable failures are scripted twice: the gateway's client retries once.
const cases: [string, Reply[], ErrorCode[]][] = [
  ['HTTP 500', [{ status: 500 }, { status: 500 }], [ErrorCode.UNAVAILABLE]],
  [
    'HTTP 429',
    [{ status: 429 }, { status: 429 }],
    [ErrorCode.RESOURCE_EXHAUSTED, ErrorCode.UNAVAILABLE],
  ],
  ['HTTP 401 (bad key)', [{ status: 401 }], [ErrorCode.UNAVAILABLE]],
  [
    'no answer within the LLM timeout',
    [{ headersDelayMs: 1_500 }, { headersDelayMs: 1_500 }],
    [ErrorCode.DEADLINE_EXCEEDED, ErrorCode.UNAVAILABLE],
  ],
  [
    'a malformed stream',
    [{ steps: [{ text: 'Hel' }, { raw: '{not json' }] }],
    [ErrorCode.INTERNAL],
  ],
  [
    'a stream cut before its end',
    [{ steps: [{ text: 'Hel' }], finishReason: null }],
    [ErrorCode.INTERNAL],
  ],
  [
    'a stream that hangs',
    [{ steps: [{ text: 'Hel' }, { hang: true }] }],
    [ErrorCode.DEADLINE_EXCEEDED],
  ],
];

describe('LLM endpoint faults', () => {
  for (const [what, replies, codes] of cases) {
    for (const index of [0, 1]) {
      it(`${what} over ${index === 0 ? 'gRPC' : 'WebSocket'}: a specific error, then the next turn works`, async () => {
        const caller = callers[index]!;
        llm.script(...replies);
        faults.injected++;
        const turn = caller.chat(token, `fault: ${what}`);
        // The gateway answers others (and this user's direct calls) while the turn is stuck.
        expect((await caller.callTool(token, 'time_now', {})).ok).toBe(true);
        const outcome = await turn;
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) {
          expect(codes).toContain(outcome.code);
          expect(outcome.message).toMatch(/\S/);
        }
        llm.script({ steps: [{ text: 'all good again' }] });
        expect(await caller.chat(token, 'are you back?')).toMatchObject({
          ok: true,
          text: 'all good again',
        });
        faults.survived++;
      });
    }
  }
});
