import { AuthMode } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import { fakeAgent, principal } from '../core/turn/fake-agent.test-support.js';
import { createTurnRunner } from '../core/turn/index.js';
import type { gatewayv1 } from '@warmgate/proto';
import { createPlatformTools } from '../platform/index.js';
import { createOfflineModel } from './offline-model.js';

async function ask(text: string, mode = AuthMode.GATEWAY) {
  const runner = createTurnRunner({
    model: createOfflineModel(),
    platform: createPlatformTools({ now: () => Date.parse('2026-11-24T08:00:00Z') }),
    maxToolRounds: 4,
    toolTimeoutMs: 1_000,
    turnTimeoutMs: 5_000,
  });
  const events: gatewayv1.ChatResponse[] = [];
  await runner.run(
    { principal: principal(mode), turnId: 't', text, agent: fakeAgent() },
    (e) => events.push(e),
    new AbortController().signal,
  );
  const final = events.at(-1)!;
  if (final.kind.case !== 'final') throw new Error(`ended with ${final.kind.case}`);
  return { events, text: final.kind.value.text, kinds: events.map((e) => e.kind.case) };
}

describe('offline model', () => {
  it('says plainly that no model is configured and how to configure one', async () => {
    const { text, kinds } = await ask('what should I buy?');
    expect(text).toContain('No language model is configured');
    expect(text).toContain('WARMGATE_LLM_BASE_URL');
    expect(kinds.filter((k) => k === 'delta').length).toBeGreaterThan(5);
  });

  it('lists the tools', async () => {
    const { text } = await ask('/tools');
    expect(text).toContain('market_quote');
    expect(text).toContain('time_now');
  });

  it('runs /call as a real tool call and summarises the result', async () => {
    const { text, kinds, events } = await ask('/call market_quote {"symbol":"AAPL"}');
    expect(kinds).toContain('toolCallStarted');
    expect(kinds).toContain('toolCallFinished');
    const started = events.find((e) => e.kind.case === 'toolCallStarted')!;
    expect(started.kind.value).toMatchObject({
      name: 'market_quote',
      arguments: { symbol: 'AAPL' },
    });
    expect(text).toContain('Tool market_quote returned');
    expect(text).toContain('AAPL');
  });

  it('stops streaming when cancelled', async () => {
    const controller = new AbortController();
    const model = createOfflineModel();
    const events: unknown[] = [];
    const stream = model.stream({
      messages: [{ role: 'user', content: 'hello there' }],
      tools: [],
      signal: controller.signal,
    });
    await expect(
      (async () => {
        for await (const event of stream) {
          events.push(event);
          controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ code: 1 /* CANCELLED */ });
    expect(events).toHaveLength(1);
  });

  it('reports a failing /call as a failure', async () => {
    const { text } = await ask('/call market_quote {"symbol":"NOPE"}');
    expect(text).toContain('Tool market_quote failed');
    expect(text).toContain('unknown symbol');
  });
});
