import { describe, expect, it } from 'vitest';
import { candlesFromText, parsePlainRequest } from './offline-requests.js';

describe('plain requests of the offline model', () => {
  it.each([
    ['quote AAPL', 'AAPL'],
    ['Quote aapl', 'AAPL'],
    ['price of MSFT', 'MSFT'],
    ['AAPL price', 'AAPL'],
    ['How is AAPL doing?', 'AAPL'],
    ["how's btcusd doing today?", 'BTCUSD'],
    ["What's EURUSD at?", 'EURUSD'],
    ['what is the price of TSLA', 'TSLA'],
  ])('%s → market_quote %s', (text, symbol) => {
    expect(parsePlainRequest(text)).toEqual({ tool: 'market_quote', args: { symbol } });
  });

  it.each([
    ['chart MSFT 1h', 'MSFT', '1h'],
    ['chart msft', 'MSFT', '1h'],
    ['Show me AAPL 4h', 'AAPL', '4h'],
    ['show a chart of BTCUSD daily', 'BTCUSD', '1d'],
    ['candles for AAPL 15m', 'AAPL', '15m'],
    ['chart AAPL on the 5m', 'AAPL', '5m'],
  ])('%s → market_candles %s %s', (text, symbol, timeframe) => {
    expect(parsePlainRequest(text)).toEqual({
      tool: 'market_candles',
      args: { symbol, timeframe, limit: 100 },
    });
  });

  it('maps a backtest to candles first, then the named strategy', () => {
    expect(parsePlainRequest('backtest golden-cross on AAPL')).toEqual({
      tool: 'market_candles',
      args: { symbol: 'AAPL', timeframe: '1h', limit: 150 },
      backtest: { strategy: 'golden-cross' },
    });
    expect(parsePlainRequest('Backtest rsi_dip on msft 1d.')?.args).toEqual({
      symbol: 'MSFT',
      timeframe: '1d',
      limit: 150,
    });
  });

  it.each([
    ['my indicators', 'indicator_list'],
    ['list my saved indicators', 'indicator_list'],
    ['Indicators?', 'indicator_list'],
    ['my strategies', 'strategy_list'],
    ['show my strategy', 'strategy_list'],
    ['my workspace', 'workspace_get'],
    ['my profile', 'profile_get'],
    ['what time is it?', 'time_now'],
  ])('%s → %s', (text, tool) => {
    expect(parsePlainRequest(text)).toEqual({ tool, args: {} });
  });

  it('searches symbols by name', () => {
    expect(parsePlainRequest('search apple')).toEqual({
      tool: 'market_search_symbols',
      args: { query: 'apple' },
    });
  });

  it.each([
    'what should I buy?',
    'tell me a joke',
    'how is my portfolio doing',
    'chart',
    'quote',
    'backtest on AAPL',
    '',
  ])('does not guess at %j', (text) => {
    expect(parsePlainRequest(text)).toBeUndefined();
  });

  it('reads candles back from the market_candles text', () => {
    const text =
      '2 1h candle(s) of AAPL in USD, oldest first, as [time, open, high, low, close, volume].\n' +
      '[["2026-11-24T06:00:00.000Z",1,2,0.5,1.5,100],["2026-11-24T07:00:00.000Z",1.5,2,1,1.8,50]]';
    expect(candlesFromText(text)).toEqual([
      {
        time: Date.parse('2026-11-24T06:00:00Z'),
        open: 1,
        high: 2,
        low: 0.5,
        close: 1.5,
        volume: 100,
      },
      {
        time: Date.parse('2026-11-24T07:00:00Z'),
        open: 1.5,
        high: 2,
        low: 1,
        close: 1.8,
        volume: 50,
      },
    ]);
    expect(candlesFromText('no table here')).toEqual([]);
    expect(candlesFromText('[[not json')).toEqual([]);
  });
});
