// The LLM loop with the REAL openai client against a scripted OpenAI-compatible server on
// loopback: streaming, tool calls (single and parallel), limits, timeouts, cancellation and
// provider failures, each mapped to a precise ErrorCode.
import { ErrorCode, type gatewayv1 } from '@warmgate/proto';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeAgent, principal } from '../../src/core/turn/fake-agent.test-support.js';
import { createTurnRunner, type TurnRunnerOptions } from '../../src/core/turn/index.js';
import { createOpenAiModel, type OpenAiModelOptions } from '../../src/llm/index.js';
import { createPlatformTools } from '../../src/platform/index.js';
import { startScriptedOpenAi, type ScriptedOpenAi } from '../fixtures/scripted-openai.js';

let server: ScriptedOpenAi;
beforeAll(async () => {
  server = await startScriptedOpenAi();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

interface Run {
  events: gatewayv1.ChatResponse[];
  kinds: (string | undefined)[];
  last: gatewayv1.ChatResponse['kind'];
}

async function chat(
  options: {
    model?: Partial<OpenAiModelOptions>;
    loop?: Partial<TurnRunnerOptions>;
    onEvent?: (event: gatewayv1.ChatResponse) => void;
    signal?: AbortSignal;
  } = {},
): Promise<Run> {
  const model = createOpenAiModel({
    baseUrl: server.url,
    apiKey: 'test-key',
    model: 'scripted-model',
    timeoutMs: 5_000,
    maxRetries: 0,
    ...options.model,
  });
  const runner = createTurnRunner({
    model,
    platform: createPlatformTools(),
    maxToolRounds: 4,
    toolTimeoutMs: 2_000,
    turnTimeoutMs: 10_000,
    ...options.loop,
  });
  const events: gatewayv1.ChatResponse[] = [];
  await runner.run(
    { principal: principal(), turnId: 't1', text: 'How is Apple doing?', agent: fakeAgent() },
    (event) => {
      events.push(event);
      options.onEvent?.(event);
    },
    options.signal ?? new AbortController().signal,
  );
  return { events, kinds: events.map((e) => e.kind.case), last: events.at(-1)!.kind };
}

const quoteCall = (id: string, symbol: string) => ({
  id,
  name: 'market_quote',
  arguments: JSON.stringify({ symbol }),
});

describe('openai model through the turn loop', () => {
  it('streams tokens as they arrive and sends context and tools', async () => {
    server.script({
      steps: [{ text: 'Apple ' }, { delayMs: 20 }, { text: 'is ' }, { text: 'fine.' }],
      usage: { prompt: 42, completion: 3 },
    });
    const { kinds, last, events } = await chat();
    expect(kinds).toEqual(['started', 'delta', 'delta', 'delta', 'final']);
    expect(events[0]!.kind).toMatchObject({ case: 'started', value: { model: 'scripted-model' } });
    expect(last).toMatchObject({
      case: 'final',
      value: { text: 'Apple is fine.', usage: { promptTokens: 42, completionTokens: 3 } },
    });
    const body = server.requests[0]!.body;
    expect(body.stream).toBe(true);
    expect(body.model).toBe('scripted-model');
    expect(body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(body.tools!.map((t) => t.function.name)).toContain('market_quote');
    expect(server.requests[0]!.headers.authorization).toBe('Bearer test-key');
  });

  it('runs a tool call and feeds the result back', async () => {
    server.script(
      { steps: [{ toolCalls: [quoteCall('call_1', 'AAPL')] }] },
      { steps: [{ text: 'AAPL quoted.' }] },
    );
    const { kinds, last } = await chat();
    expect(kinds).toEqual(['started', 'toolCallStarted', 'toolCallFinished', 'delta', 'final']);
    expect(last).toMatchObject({ case: 'final', value: { text: 'AAPL quoted.', toolRounds: 1 } });
    const second = server.requests[1]!.body.messages;
    expect(second.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(second[3]).toMatchObject({ tool_call_id: 'call_1' });
    expect(String(second[3]!.content)).toContain('generated sample data');
  });

  it('assembles parallel tool calls from interleaved deltas and runs them all', async () => {
    server.script(
      {
        steps: [
          { toolCalls: [quoteCall('call_a', 'AAPL'), quoteCall('call_b', 'MSFT')], pieces: 4 },
        ],
      },
      { steps: [{ text: 'Both.' }] },
    );
    const { events } = await chat();
    const started = events.flatMap((e) =>
      e.kind.case === 'toolCallStarted' ? [e.kind.value] : [],
    );
    expect(started.map((s) => [s.callId, s.arguments])).toEqual([
      ['call_a', { symbol: 'AAPL' }],
      ['call_b', { symbol: 'MSFT' }],
    ]);
    const second = server.requests[1]!.body.messages;
    expect(second[2]!.tool_calls).toHaveLength(2);
    expect(second.slice(3).map((m) => m.tool_call_id)).toEqual(['call_a', 'call_b']);
  });

  it('stops at the round limit with a clear message', async () => {
    const again = { steps: [{ toolCalls: [quoteCall('c', 'AAPL')] }] };
    server.script(again, again, again);
    const { last } = await chat({ loop: { maxToolRounds: 2 } });
    expect(last.case).toBe('final');
    expect(last.case === 'final' && last.value.text).toContain('after 2 rounds of tool calls');
    expect(server.requests).toHaveLength(3);
  });

  it('cancels mid-stream: the server sees the connection close, the client gets what was produced', async () => {
    server.script({ steps: [{ text: 'Partial answer' }, { hang: true }] });
    const controller = new AbortController();
    const gone = server.clientGone();
    const { last } = await chat({
      signal: controller.signal,
      onEvent: (event) => event.kind.case === 'delta' && controller.abort(),
    });
    expect(last).toMatchObject({
      case: 'final',
      value: { text: 'Partial answer', cancelled: true },
    });
    await gone;
  });

  it('fails a hung stream at the turn deadline with DEADLINE_EXCEEDED', async () => {
    server.script({ steps: [{ text: 'Thinking' }, { hang: true }] });
    const { last } = await chat({ loop: { turnTimeoutMs: 300 } });
    expect(last).toMatchObject({ case: 'error', value: { code: ErrorCode.DEADLINE_EXCEEDED } });
  });

  it('fails a provider that does not answer in time with DEADLINE_EXCEEDED', async () => {
    server.script({ headersDelayMs: 2_000, steps: [{ text: 'late' }] });
    const { last } = await chat({ model: { timeoutMs: 200 } });
    expect(last).toMatchObject({ case: 'error', value: { code: ErrorCode.DEADLINE_EXCEEDED } });
  });

  it('reports a malformed stream as INTERNAL with a clear message', async () => {
    server.script({ steps: [{ text: 'ok so far' }, { raw: '{"choices": [oops' }] });
    const { last } = await chat();
    expect(last).toMatchObject({ case: 'error', value: { code: ErrorCode.INTERNAL } });
    expect(last.case === 'error' && last.value.message).toContain('malformed stream');
  });

  it('reports a stream cut before its finish reason as malformed', async () => {
    server.script({ steps: [{ text: 'cut' }], finishReason: null });
    const { last } = await chat();
    expect(last).toMatchObject({ case: 'error', value: { code: ErrorCode.INTERNAL } });
  });

  it.each([
    [500, ErrorCode.UNAVAILABLE, 'HTTP 500'],
    [429, ErrorCode.RESOURCE_EXHAUSTED, 'HTTP 429'],
    [401, ErrorCode.UNAVAILABLE, 'WARMGATE_LLM_API_KEY'],
    [400, ErrorCode.INTERNAL, 'HTTP 400'],
  ])('maps HTTP %i to a precise code', async (status, code, text) => {
    server.script({ status });
    const { last } = await chat();
    expect(last).toMatchObject({ case: 'error', value: { code } });
    expect(last.case === 'error' && last.value.message).toContain(text);
  });

  it('retries a 500 before streaming began when retries are allowed', async () => {
    server.script({ status: 500 }, { steps: [{ text: 'second try' }] });
    const { last } = await chat({ model: { maxRetries: 1 } });
    expect(last).toMatchObject({ case: 'final', value: { text: 'second try' } });
    expect(server.requests).toHaveLength(2);
  });

  it('reports an unreachable provider as UNAVAILABLE', async () => {
    const dead = await startScriptedOpenAi();
    const url = dead.url;
    await dead.close();
    const { last } = await chat({ model: { baseUrl: url } });
    expect(last).toMatchObject({ case: 'error', value: { code: ErrorCode.UNAVAILABLE } });
  });
});

describe('scripted server', () => {
  it('also serves non-streaming completions', async () => {
    server.script({ steps: [{ text: 'plain' }, { toolCalls: [quoteCall('c1', 'AAPL')] }] });
    const client = new OpenAI({ baseURL: server.url, apiKey: 'k', maxRetries: 0 });
    const result = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(result.choices[0]!.message.content).toBe('plain');
    expect(result.choices[0]!.message.tool_calls).toHaveLength(1);
  });
});
