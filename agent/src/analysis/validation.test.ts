import { describe, expect, it } from 'vitest';
import { ErrorCode, WarmgateError } from '@warmgate/proto';
import {
  backtest,
  computeIndicator,
  validateIndicatorSpec,
  validateStrategy,
  type Candle,
  type Rule,
  type Strategy,
} from './index.js';
import { flatCandles } from './fixtures.test-support.js';

const candles = flatCandles([1, 2, 3, 4, 5]);

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WarmgateError);
    expect((e as WarmgateError).code).toBe(ErrorCode.INVALID_ARGUMENT);
    return (e as WarmgateError).message;
  }
  return expect.fail('expected an INVALID_ARGUMENT error');
}

const spec = (s: unknown) => messageOf(() => computeIndicator(s as never, candles));
const bars = (c: unknown) =>
  messageOf(() => computeIndicator({ indicator: 'sma', period: 1 }, c as Candle[]));

describe('indicator spec errors name the field and the value', () => {
  it.each([
    [
      { indicator: 'foo' },
      'spec.indicator: unknown indicator "foo" (expected one of sma, ema, wma, rsi, macd',
    ],
    [{ period: 3 }, 'spec.indicator: missing "indicator"'],
    [
      { indicator: 'sma', period: 0 },
      'spec.period: period must be an integer from 1 to 1000 (got 0)',
    ],
    [{ indicator: 'sma', period: 1001 }, 'period must be an integer from 1 to 1000 (got 1001)'],
    [
      { indicator: 'sma', period: 2.5 },
      'spec.period: period must be an integer from 1 to 1000 (got 2.5)',
    ],
    [{ indicator: 'ema' }, 'spec.period: period must be an integer from 1 to 1000 (got nothing)'],
    [{ indicator: 'sma', period: '3' }, 'period must be an integer from 1 to 1000 (got "3")'],
    [
      { indicator: 'sma', period: 3, source: 'hl3' },
      'spec.source: unknown price field "hl3" (expected one of open, high',
    ],
    [
      { indicator: 'sma', period: 3, source: { indicator: 'rsi', period: -1 } },
      'spec.source.period: period must be',
    ],
    [
      { indicator: 'sma', period: 3, colour: 'red' },
      'spec: unknown parameter "colour" for sma (it takes indicator, period, source, output)',
    ],
    [
      { indicator: 'macd', output: 'hist' },
      'spec.output: unknown output "hist" (expected one of macd, signal, histogram)',
    ],
    [{ indicator: 'macd', fast: 30 }, 'macd fast must be less than slow (got fast 30, slow 26)'],
    [
      { indicator: 'bbands', stddev: -1 },
      'spec.stddev: stddev must be a number from 0 to 10 (got -1)',
    ],
    [
      { indicator: 'stoch', smooth: 0 },
      'spec.smooth: smooth must be an integer from 1 to 1000 (got 0)',
    ],
    [{ indicator: 'shift', bars: 0 }, 'spec.bars: bars must be an integer from 1 to 1000 (got 0)'],
    [{ indicator: 'price', field: 'mid' }, 'spec.field: unknown price field "mid"'],
    [
      { indicator: 'math', op: '^', left: 1, right: 2 },
      'spec.op: unknown op "^" (expected one of +, -, *, /, min, max)',
    ],
    [
      { indicator: 'math', op: '-', left: 'close', right: true },
      'spec.right: expected a number, a price field (open, high, low, close, hl2, hlc3, ohlc4, volume) or an indicator spec object (got true)',
    ],
    [
      { indicator: 'math', op: '-', left: 'close', right: { indicator: 'bar' } },
      'spec.right.indicator: unknown indicator "bar"',
    ],
    [{ indicator: 'math', op: '-', left: 'close' }, 'spec.right: expected a number, a price field'],
    [
      { indicator: 'sma', period: 3, source: 7 },
      'spec.source: expected a price field (open, high, low, close, hl2, hlc3, ohlc4, volume) or an indicator spec object (got 7)',
    ],
    [
      { indicator: 'saved', name: 'Bad Name' },
      'spec.name: name must match ^[a-z0-9][a-z0-9_-]{0,63}$',
    ],
    [{ indicator: 'saved', name: 'nope' }, 'unknown saved indicator "nope"'],
    [
      { indicator: 'sma', period: 3, source: { indicator: 'macd' } },
      'macd has several outputs (macd, signal, histogram)',
    ],
    [5, 'spec: Invalid input: expected object, received number'],
    [null, 'spec: Invalid input: expected object'],
  ])('%j', (input, message) => {
    expect(spec(input)).toContain(message);
  });

  it('volume is required only where it is read', () => {
    expect(spec({ indicator: 'obv' })).toBe('obv needs volume on every candle (candle 0 has none)');
    expect(spec({ indicator: 'sma', period: 2, source: 'volume' })).toBe(
      'source "volume" needs volume on every candle (candle 0 has none)',
    );
  });

  it('refuses hostile nesting before parsing it', () => {
    let deep: unknown = { indicator: 'sma', period: 1 };
    for (let i = 0; i < 200; i++) deep = { indicator: 'sma', period: 1, source: deep };
    expect(spec(deep)).toBe('spec is nested too deeply (more than 64 levels)');
  });
});

describe('candle errors', () => {
  const c = (over: Partial<Candle> = {}, time = 1): Candle => ({
    time,
    open: 1,
    high: 2,
    low: 1,
    close: 1,
    ...over,
  });
  it.each([
    [[], 'candles: candles must hold at least 1 candle'],
    [
      new Array(10_001).fill(0).map((_, i) => c({}, i)),
      'candles: candles must hold at most 10000 candles (got 10001)',
    ],
    [[c({ high: 0 })], 'candles[0]: high must be ≥ low (got high 0, low 1)'],
    [
      [c({}, 2), c({}, 2)],
      'candles[1].time: candle times must be strictly increasing (candle 1 has time 2, candle 0 has 2)',
    ],
    [[c({ open: NaN })], 'candles[0].open: open must be a finite number (got NaN)'],
    [[c({ close: Infinity })], 'candles[0].close: close must be a finite number (got Infinity)'],
    [
      [{ time: 1, high: 1, low: 1, close: 1 }],
      'candles[0].open: open must be a finite number (got nothing)',
    ],
    [[c({ volume: -1 })], 'candles[0].volume: volume must be a finite number ≥ 0 (got -1)'],
    ['x', 'candles: Invalid input: expected array, received string'],
  ])('case %#', (input, message) => {
    expect(bars(input)).toBe(message);
  });

  it('accepts exactly 10,000 candles', () => {
    const many = flatCandles(Array.from({ length: 10_000 }, (_, i) => 100 + Math.sin(i)));
    expect(computeIndicator({ indicator: 'rsi' }, many).outputs.value).toHaveLength(10_000);
  });
});

describe('strategy errors', () => {
  const rule: Rule = { left: 'close', op: '>', right: 1 };
  const base: Strategy = { name: 'ok', side: 'long', entry: rule, exit: rule };
  const strat = (s: unknown, c: Candle[] = candles) => messageOf(() => backtest(s as Strategy, c));

  it.each([
    [{ ...base, name: 'Has Space' }, 'strategy.name: name must match'],
    [{ ...base, side: 'up' }, 'strategy.side: side must be "long" or "short" (got "up")'],
    [
      { ...base, entry: { left: 'close', op: '=>', right: 1 } },
      'strategy.entry.op: unknown comparison "=>" (expected one of >, <, >=, <=, crosses_above, crosses_below)',
    ],
    [{ ...base, exit: { all: [] } }, 'strategy.exit.all: all needs at least 1 rule'],
    [
      {
        ...base,
        exit: { any: [rule, { left: 'close', op: '>', right: { indicator: 'sma', period: 0 } }] },
      },
      'strategy.exit.any[1].right.period: period must be an integer from 1 to 1000 (got 0)',
    ],
    [
      { ...base, entry: { left: 'close', op: '>', right: 1, extra: 1 } },
      'strategy.entry: unknown key "extra"',
    ],
    [
      { ...base, stopLossPct: 0 },
      'strategy.stopLossPct: stopLossPct must be a number > 0 and ≤ 100 (got 0)',
    ],
    [{ ...base, takeProfitPct: -1 }, 'strategy.takeProfitPct: takeProfitPct must be a number > 0'],
    [
      { ...base, positionSize: 2 },
      'strategy.positionSize: positionSize must be a number > 0 and ≤ 1 (got 2)',
    ],
    [
      { ...base, entry: 5 },
      'strategy.entry: expected a rule: {"left","op","right"}, {"all":[rules]} or {"any":[rules]} (got 5)',
    ],
    [{ ...base, fee: 0.5 }, 'strategy.fee: fee must be a number ≥ 0 and ≤ 0.1 (got 0.5)'],
    [
      { ...base, entry: { any: new Array(32).fill(rule) } },
      'strategy: entry and exit rules have 34 nodes together (at most 32)',
    ],
    [
      { ...base, entry: { left: { indicator: 'saved', name: 'x' }, op: '>', right: 1 } },
      'unknown saved indicator "x"',
    ],
    [
      { ...base, entry: { left: { indicator: 'bbands' }, op: '>', right: 1 } },
      'bbands has several outputs',
    ],
  ])('case %#', (input, message) => {
    expect(strat(input)).toContain(message);
  });

  it('needs positive prices', () => {
    expect(strat(base, flatCandles([1, 0, 2]))).toBe(
      'backtest needs positive prices (candle 1 has open 0, low 0, close 0)',
    );
  });
});

describe('validateIndicatorSpec / validateStrategy (for tools that save)', () => {
  const saved = (n: string) =>
    ({ a: { indicator: 'saved', name: 'b' }, b: { indicator: 'saved', name: 'a' } })[n] as never;

  it('return the parsed value when valid', () => {
    expect(validateIndicatorSpec({ indicator: 'rsi' })).toEqual({ indicator: 'rsi' });
    const s = {
      name: 'x',
      side: 'long',
      entry: { left: 'close', op: '>', right: 1 },
      exit: { left: 'close', op: '<', right: 1 },
    };
    expect(validateStrategy(s)).toEqual(s);
  });

  it('catch what computing would, without candles', () => {
    expect(messageOf(() => validateIndicatorSpec({ indicator: 'sma', period: 0 }))).toContain(
      'spec.period',
    );
    expect(messageOf(() => validateIndicatorSpec({ indicator: 'saved', name: 'a' }, saved))).toBe(
      'saved indicator cycle: a → b → a',
    );
    const s = {
      name: 'x',
      side: 'long',
      entry: { left: { indicator: 'saved', name: 'zz' }, op: '>', right: 1 },
      exit: { left: 'close', op: '<', right: 1 },
    };
    expect(messageOf(() => validateStrategy(s))).toBe('unknown saved indicator "zz"');
  });
});
