import { AuthMode } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import { fakeAgent, principal, userTool } from '../core/turn/fake-agent.test-support.js';
import { createTurnRunner } from '../core/turn/index.js';
import type { gatewayv1 } from '@warmgate/proto';
import { createPlatformTools } from '../platform/index.js';
import { createOfflineModel } from './offline-model.js';

async function ask(text: string, mode = AuthMode.GATEWAY, agent = fakeAgent()) {
  const runner = createTurnRunner({
    model: createOfflineModel(),
    platform: createPlatformTools({ now: () => Date.parse('2026-11-24T08:00:00Z') }),
    maxToolRounds: 4,
    toolTimeoutMs: 1_000,
    turnTimeoutMs: 5_000,
  });
  const events: gatewayv1.ChatResponse[] = [];
  await runner.run(
    { principal: principal(mode), turnId: 't', text, agent },
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
    expect(text).toContain('quote AAPL');
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
    expect(text.split('\n')).toHaveLength(1);
  });

  it('answers "How is AAPL doing?" with a quote, in one readable sentence', async () => {
    const { text, events } = await ask('How is AAPL doing?');
    const started = events.find((e) => e.kind.case === 'toolCallStarted')!;
    expect(started.kind.value).toMatchObject({
      name: 'market_quote',
      arguments: { symbol: 'AAPL' },
    });
    expect(text).not.toContain('No language model');
    expect(text).toMatch(/^Tool market_quote returned: AAPL [\d.]+ USD/);
    expect(text).not.toContain('{');
  });

  it('charts a symbol on a timeframe', async () => {
    const { text, events } = await ask('chart MSFT 4h');
    const started = events.find((e) => e.kind.case === 'toolCallStarted')!;
    expect(started.kind.value).toMatchObject({
      name: 'market_candles',
      arguments: { symbol: 'MSFT', timeframe: '4h', limit: 100 },
    });
    // The candles are shown by the client; the answer does not repeat them.
    expect(text).toMatch(/100 4h candle\(s\) of MSFT/);
    expect(text).not.toContain('[[');
  });

  it('backtests a saved strategy: candles first, then strategy_backtest over them', async () => {
    const agent = fakeAgent({
      tools: [userTool('strategy_backtest')],
      run: async () =>
        JSON.stringify({
          tradeCount: 3,
          pnl: 120,
          pnlPct: 1.2,
          maxDrawdownPct: 2.5,
          winRate: 0.667,
        }),
    });
    const { text } = await ask('backtest golden-cross on AAPL', AuthMode.GATEWAY, agent);
    expect(agent.calls).toHaveLength(1);
    const args = agent.calls[0]!.args as { name: string; candles: { time: number }[] };
    expect(agent.calls[0]!.name).toBe('strategy_backtest');
    expect(args.name).toBe('golden-cross');
    expect(args.candles).toHaveLength(150);
    expect(typeof args.candles[0]!.time).toBe('number');
    expect(text).toBe(
      'Tool strategy_backtest returned: 3 trade(s), PnL 1.20 %, max drawdown 2.50 %, win rate 66.70 %.',
    );
  });

  it('says so when a backtest names an unknown symbol', async () => {
    const { text } = await ask('backtest golden-cross on NOPE');
    expect(text).toContain('Tool market_candles failed');
    expect(text).toContain('unknown symbol');
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
