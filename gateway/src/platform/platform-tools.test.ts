import { ErrorCode, WarmgateError } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import { createPlatformTools } from './platform-tools.js';
import { createSampleMarketData } from './sample-market-data.js';

const now = Date.parse('2026-11-24T08:00:30Z');
const signal = new AbortController().signal;

describe('sample market data', () => {
  const data = createSampleMarketData();

  it('is deterministic and consistent across timeframes', () => {
    const a = data.candles({ symbol: 'AAPL', timeframe: '1h', limit: 5 }, now);
    const b = createSampleMarketData().candles({ symbol: 'aapl', timeframe: '1h', limit: 5 }, now);
    expect(a).toEqual(b);
    expect(a).toHaveLength(5);
    const minutes = data.candles(
      {
        symbol: 'AAPL',
        timeframe: '1m',
        from: a[0]!.time,
        to: a[0]!.time + 59 * 60_000,
        limit: 60,
      },
      now,
    );
    expect(minutes).toHaveLength(60);
    expect(minutes[0]!.open).toBe(a[0]!.open);
    for (const c of a) {
      expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close));
      expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close));
    }
  });

  it('stays near realistic price levels', () => {
    for (const [symbol, level] of [
      ['AAPL', 190],
      ['BTCUSD', 65_000],
      ['EURUSD', 1.08],
    ] as const) {
      const { last } = data.quote(symbol, now);
      expect(last / level).toBeGreaterThan(0.4);
      expect(last / level).toBeLessThan(2.5);
    }
  });
});

describe('platform tools', () => {
  const tools = createPlatformTools({ now: () => now });

  it('lists namespaced read-only tools with JSON Schemas', () => {
    const list = tools.list();
    expect(list.map((t) => t.name)).toEqual([
      'market_search_symbols',
      'market_quote',
      'market_candles',
      'time_now',
    ]);
    for (const tool of list) {
      expect(tool.name).toMatch(/^(market|time)_/);
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.annotations.readOnly).toBe(true);
    }
  });

  it('says every market answer is generated sample data', async () => {
    const quote = await tools.call('market_quote', { symbol: 'MSFT' }, { signal });
    expect(quote.content[0]!.kind.value).toContain('generated sample data');
    expect(quote.structuredContent).toMatchObject({ generated: true, quote: { symbol: 'MSFT' } });
    const candles = await tools.call(
      'market_candles',
      { symbol: 'BTCUSD', timeframe: '1d', limit: 3 },
      { signal },
    );
    expect(candles.content[0]!.kind.value).toContain('generated sample data');
    expect((candles.structuredContent!.candles as unknown[]).length).toBe(3);
    const search = await tools.call('market_search_symbols', { query: 'apple' }, { signal });
    expect(search.structuredContent).toMatchObject({ symbols: [{ symbol: 'AAPL' }] });
  });

  it('tells the time, in a time zone too', async () => {
    const result = await tools.call('time_now', { timezone: 'America/New_York' }, { signal });
    expect(result.structuredContent).toMatchObject({
      iso: '2026-11-24T08:00:30.000Z',
      epochMs: now,
    });
    expect(result.content[0]!.kind.value).toContain('America/New_York');
  });

  it('refuses bad arguments and unknown symbols with precise codes', async () => {
    const code = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e) => WarmgateError.from(e).code,
      );
    expect(await code(tools.call('market_quote', { symbol: 'NOPE' }, { signal }))).toBe(
      ErrorCode.NOT_FOUND,
    );
    expect(
      await code(tools.call('market_candles', { symbol: 'AAPL', limit: 5000 }, { signal })),
    ).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(
      await code(tools.call('market_candles', { symbol: 'AAPL', timeframe: '2m' }, { signal })),
    ).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await code(tools.call('time_now', { timezone: 'Mars/Olympus' }, { signal }))).toBe(
      ErrorCode.INVALID_ARGUMENT,
    );
  });
});
