import { setTimeout as sleep } from 'node:timers/promises';
import { AuthMode, ErrorCode, WarmgateError, type gatewayv1 } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import type { PlatformTools } from '../ports.js';
import { fakeAgent, principal, userTool } from './fake-agent.test-support.js';
import type { Model, ModelEvent, ModelRequest } from './model.js';
import { createTurnRunner, type TurnRunnerOptions } from './turn-runner.js';

const noPlatform: PlatformTools = {
  list: () => [],
  call: async () => Promise.reject(new Error('none')),
};

/** A model that plays one scripted list of events per round and records its requests. */
function scriptedModel(rounds: ModelEvent[][], gate?: Promise<void>) {
  const requests: ModelRequest[] = [];
  const model: Model = {
    name: 'scripted',
    async *stream(request) {
      requests.push(request);
      const events = rounds[requests.length - 1] ?? [{ type: 'text', text: 'done' }];
      for (const event of events) {
        if (gate && event.type === 'text' && event.text === 'WAIT') await gate;
        request.signal.throwIfAborted();
        yield event;
      }
    },
  };
  return { model, requests };
}

const call = (id: string, name: string, args = '{}'): ModelEvent => ({
  type: 'tool_call',
  call: { id, name, arguments: args },
});

async function runTurn(
  options: Partial<TurnRunnerOptions> & { model: Model },
  agent = fakeAgent(),
  signal = new AbortController().signal,
  who = principal(),
) {
  const runner = createTurnRunner({
    platform: noPlatform,
    maxToolRounds: 3,
    toolTimeoutMs: 1_000,
    turnTimeoutMs: 5_000,
    ...options,
  });
  const events: gatewayv1.ChatResponse[] = [];
  await runner.run(
    { principal: who, turnId: 't1', text: 'hello', agent },
    (event) => events.push(event),
    signal,
  );
  return { events, kinds: events.map((e) => e.kind.case), agent };
}

const finalOf = (events: gatewayv1.ChatResponse[]) => {
  const last = events.at(-1)!;
  if (last.kind.case !== 'final') throw new Error(`last event is ${last.kind.case}`);
  return last.kind.value;
};

describe('turn runner', () => {
  it('does not save a public session turn (its workspace is ephemeral and read-only)', async () => {
    const { model } = scriptedModel([[{ type: 'text', text: 'hi' }]]);
    const agent = fakeAgent();
    const { kinds } = await runTurn({ model }, agent, undefined, principal(AuthMode.PUBLIC));
    expect(kinds).toEqual(['started', 'delta', 'final']);
    expect(agent.saved).toHaveLength(0);
  });

  it('streams deltas and saves the turn', async () => {
    const { model, requests } = scriptedModel([
      [
        { type: 'text', text: 'Hel' },
        { type: 'text', text: 'lo' },
        { type: 'usage', promptTokens: 5, completionTokens: 2 },
      ],
    ]);
    const agent = fakeAgent({
      context: { profile: 'likes tech stocks', systemPrompt: 'answer in French' },
    });
    const { events, kinds } = await runTurn({ model }, agent);
    expect(kinds).toEqual(['started', 'delta', 'delta', 'final']);
    expect(finalOf(events)).toMatchObject({
      text: 'Hello',
      toolRounds: 0,
      cancelled: false,
      usage: { promptTokens: 5, completionTokens: 2 },
    });
    const system = requests[0]!.messages[0]!;
    expect(system.role).toBe('system');
    expect(system.role === 'system' && system.content).toContain('likes tech stocks');
    expect(system.role === 'system' && system.content).toContain('answer in French');
    expect(agent.saved).toHaveLength(1);
    expect(agent.saved[0]).toMatchObject({ turnId: 't1', userText: 'hello', answerText: 'Hello' });
  });

  it('runs parallel tool calls concurrently and feeds the results back', async () => {
    let running = 0;
    let peak = 0;
    const agent = fakeAgent({
      tools: [userTool('a'), userTool('b')],
      run: async (name) => {
        running++;
        peak = Math.max(peak, running);
        await sleep(20);
        running--;
        return `${name}-result`;
      },
    });
    const { model, requests } = scriptedModel([
      [call('c1', 'a'), call('c2', 'b', '{"x":1}')],
      [{ type: 'text', text: 'both ran' }],
    ]);
    const { events, kinds } = await runTurn({ model }, agent);
    expect(kinds).toEqual([
      'started',
      'toolCallStarted',
      'toolCallStarted',
      'toolCallFinished',
      'toolCallFinished',
      'delta',
      'final',
    ]);
    expect(peak).toBe(2);
    expect(agent.calls).toContainEqual({ name: 'b', args: { x: 1 } });
    const second = requests[1]!.messages;
    expect(
      second.filter((m) => m.role === 'tool').map((m) => m.role === 'tool' && m.content),
    ).toEqual(['a-result', 'b-result']);
    expect(finalOf(events)).toMatchObject({ text: 'both ran', toolRounds: 1 });
    expect(agent.saved[0]!.toolCalls).toEqual([
      { name: 'a', isError: false },
      { name: 'b', isError: false },
    ]);
  });

  it('turns bad arguments, unknown tools and tool timeouts into is_error results', async () => {
    const agent = fakeAgent({
      tools: [userTool('slow')],
      run: (_name, _args, signal) => sleep(10_000, 'late', { signal }),
    });
    const { model, requests } = scriptedModel([
      [call('c1', 'nope'), call('c2', 'slow', '{not json'), call('c3', 'slow')],
      [{ type: 'text', text: 'ok' }],
    ]);
    const { events } = await runTurn({ model, toolTimeoutMs: 50 }, agent);
    const finished = events.flatMap((e) =>
      e.kind.case === 'toolCallFinished' ? [e.kind.value] : [],
    );
    expect(finished.map((f) => f.result!.isError)).toEqual([true, true, true]);
    const texts = requests[1]!.messages.flatMap((m) => (m.role === 'tool' ? [m.content] : []));
    expect(texts[0]).toContain('no tool named "nope"');
    expect(texts[1]).toContain('not valid JSON');
    expect(texts[2]).toContain('DEADLINE_EXCEEDED');
  });

  it('stops after maxToolRounds with a clear message', async () => {
    const agent = fakeAgent({ tools: [userTool('a')] });
    const again = [call('c', 'a')];
    const { model } = scriptedModel([again, again, again, again, again]);
    const { events } = await runTurn({ model, maxToolRounds: 2 }, agent);
    const final = finalOf(events);
    expect(final.toolRounds).toBe(2);
    expect(final.text).toContain('after 2 rounds of tool calls');
    expect(agent.calls).toHaveLength(2);
  });

  it('on cancel aborts the model and in-flight tools, and reports what was produced', async () => {
    const controller = new AbortController();
    let toolSignal: AbortSignal | undefined;
    const agent = fakeAgent({
      tools: [userTool('wait')],
      run: (_n, _a, signal) => {
        toolSignal = signal;
        setTimeout(() => controller.abort(), 10);
        return sleep(10_000, 'never', { signal });
      },
    });
    const { model } = scriptedModel([[{ type: 'text', text: 'partial ' }, call('c1', 'wait')]]);
    const { events, kinds } = await runTurn({ model }, agent, controller.signal);
    expect(toolSignal?.aborted).toBe(true);
    expect(kinds.at(-1)).toBe('final');
    expect(finalOf(events)).toMatchObject({ text: 'partial ', cancelled: true });
    expect(agent.saved[0]?.answerText).toBe('partial ');
  });

  it('fails a turn past its timeout with DEADLINE_EXCEEDED', async () => {
    const { model } = scriptedModel([[{ type: 'text', text: 'WAIT' }]], new Promise(() => {}));
    const { events } = await runTurn({ model, turnTimeoutMs: 30 });
    const last = events.at(-1)!;
    expect(last.kind.case).toBe('error');
    expect(last.kind.case === 'error' && last.kind.value.code).toBe(ErrorCode.DEADLINE_EXCEEDED);
  });

  it('offers public sessions read-only tools only', async () => {
    const agent = fakeAgent({ tools: [userTool('read_it'), userTool('write_it', false)] });
    const { model, requests } = scriptedModel([[{ type: 'text', text: 'hi' }]]);
    const runner = createTurnRunner({
      model,
      platform: noPlatform,
      maxToolRounds: 1,
      toolTimeoutMs: 100,
      turnTimeoutMs: 1_000,
    });
    await runner.run(
      { principal: principal(AuthMode.PUBLIC), turnId: 't', text: 'x', agent },
      () => {},
      new AbortController().signal,
    );
    expect(requests[0]!.tools.map((t) => t.name)).toEqual(['read_it']);
  });

  it('maps a model failure to an error event with its code', async () => {
    const model: Model = {
      name: 'broken',
      // eslint-disable-next-line require-yield
      async *stream() {
        throw new WarmgateError(ErrorCode.UNAVAILABLE, 'provider down');
      },
    };
    const { events, agent } = await runTurn({ model });
    expect(events.at(-1)!.kind).toMatchObject({
      case: 'error',
      value: { code: ErrorCode.UNAVAILABLE, message: 'provider down' },
    });
    expect(agent.saved).toHaveLength(0);
  });
});
