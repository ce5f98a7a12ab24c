// LLM quotas with the REAL openai client against the scripted OpenAI-compatible server, through
// the session core's chat: every request carries max_tokens; the tokens a turn used are
// charged to the user's daily budget, and a spent budget refuses the next turn with
// RESOURCE_EXHAUSTED and a retry hint — before the user's agent is reached; anonymous chat is
// refused when it is off.
import { create } from '@bufbuild/protobuf';
import { AuthMode, ErrorCode, gatewayv1 } from '@warmgate/proto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { budgetedTurns, createAdmission, type AdmissionConfig } from '../../src/admission/index.js';
import type { AgentConnector, Principal } from '../../src/core/ports.js';
import { createSessionCore } from '../../src/core/session/session-core.js';
import { fakeAgent } from '../../src/core/turn/fake-agent.test-support.js';
import { createTurnRunner } from '../../src/core/turn/index.js';
import { createOpenAiModel } from '../../src/llm/index.js';
import { createPlatformTools } from '../../src/platform/index.js';
import { testAuth } from '../support/tokens.js';
import { createAuthenticator } from '../../src/auth/authenticator.js';
import { startScriptedOpenAi, type ScriptedOpenAi } from '../fixtures/scripted-openai.js';

let server: ScriptedOpenAi;
beforeAll(async () => {
  server = await startScriptedOpenAi();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

const admissionConfig: AdmissionConfig = {
  connections: { ws: { max: 10, perIp: 10 }, grpc: { max: 10, perIp: 10 } },
  requests: { perSecond: 0, burst: 1 },
  turns: { perSecond: 0, burst: 1 },
  llm: { dailyTokensByTier: { pro: 50, '*': 0 }, publicDailyTokens: 0 },
  publicChat: false,
};

function stack() {
  let acquired = 0;
  const agents: AgentConnector = {
    connect: async () => {
      acquired++;
      return fakeAgent();
    },
    disconnect: () => {},
  };
  const platform = createPlatformTools();
  const runner = createTurnRunner({
    model: createOpenAiModel({
      baseUrl: server.url,
      apiKey: 'test-key',
      model: 'scripted-model',
      timeoutMs: 5_000,
      maxRetries: 0,
      maxTokens: 256,
    }),
    platform,
    maxToolRounds: 2,
    toolTimeoutMs: 2_000,
    turnTimeoutMs: 10_000,
  });
  const core = createSessionCore({
    authenticator: createAuthenticator(testAuth),
    agents,
    platform,
    turns: budgetedTurns(runner, createAdmission(admissionConfig)),
  });
  return { core, acquired: () => acquired };
}

async function turn(core: ReturnType<typeof stack>['core'], who: Principal) {
  const request = create(gatewayv1.ChatRequestSchema, {
    kind: { case: 'message', value: { text: 'hello', turnId: 't' } },
  });
  const events: gatewayv1.ChatResponse[] = [];
  const requests = (async function* () {
    yield request;
  })();
  for await (const event of core.chat(who, requests, new AbortController().signal)) {
    events.push(event);
  }
  return events.at(-1)!.kind;
}

const pat: Principal = { sessionId: 's1', userId: 'pat', tier: 'pro', mode: AuthMode.GATEWAY };

describe('LLM quotas', () => {
  it('sends max_tokens and refuses a turn once the day budget is spent', async () => {
    const { core, acquired } = stack();
    server.script({ steps: [{ text: 'Hi.' }], usage: { prompt: 40, completion: 20 } });
    expect(await turn(core, pat)).toMatchObject({ case: 'final', value: { text: 'Hi.' } });
    expect((server.requests[0]!.body as { max_tokens?: number }).max_tokens).toBe(256);
    expect(acquired()).toBe(1);

    const refused = await turn(core, pat);
    expect(refused).toMatchObject({
      case: 'error',
      value: { code: ErrorCode.RESOURCE_EXHAUSTED },
    });
    expect(refused.case === 'error' && refused.value.retryAfterMs).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(1); // the model was not asked again
    expect(acquired()).toBe(1); // nor was the agent reached
    // Another user of the same tier has a budget of their own.
    server.script({ steps: [{ text: 'Hello.' }], usage: { prompt: 1, completion: 1 } });
    expect(await turn(core, { ...pat, sessionId: 's2', userId: 'quinn' })).toMatchObject({
      case: 'final',
    });
  });

  it('refuses anonymous chat when it is off, without reaching the model or an agent', async () => {
    const { core, acquired } = stack();
    const anonymous: Principal = {
      sessionId: 's3',
      userId: 'public-s3',
      tier: 'free',
      mode: AuthMode.PUBLIC,
    };
    expect(await turn(core, anonymous)).toMatchObject({
      case: 'error',
      value: { code: ErrorCode.PERMISSION_DENIED },
    });
    expect(server.requests).toHaveLength(0);
    expect(acquired()).toBe(0);
  });
});
