import { describe, expect, it } from 'vitest';
import { ErrorCode, WarmgateError } from '@warmgate/proto';
import { computeIndicator, type IndicatorSpec } from './index.js';
import { flatCandles, RSI_CLOSES } from './fixtures.test-support.js';

const candles = flatCandles(RSI_CLOSES);
const series = (spec: IndicatorSpec, saved?: Record<string, IndicatorSpec>) => {
  const { outputs } = computeIndicator(spec, candles, saved && ((n) => saved[n]));
  const values = Object.values(outputs);
  expect(values).toHaveLength(1);
  return values[0];
};

function expectInvalid(fn: () => unknown, message: string | RegExp) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WarmgateError);
    expect((e as WarmgateError).code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect((e as WarmgateError).message).toMatch(message);
    return;
  }
  expect.fail('expected an INVALID_ARGUMENT error');
}

const rsi14: IndicatorSpec = { indicator: 'rsi', period: 14 };

describe('composition', () => {
  it('ema of rsi is the ema of the rsi values, starting after both warm-ups', () => {
    const rsi = series(rsi14);
    const smoothed = series({ indicator: 'ema', period: 9, source: rsi14 });
    // Same EMA over the rsi values alone (from its first value on), realigned.
    const direct = computeIndicator(
      { indicator: 'ema', period: 9 },
      flatCandles(rsi.slice(14) as number[]),
    );
    expect(smoothed).toEqual([...new Array(14).fill(null), ...direct.outputs.value]);
    expect(smoothed.findIndex((v) => v !== null)).toBe(14 + 8);
  });

  it('sma of the macd histogram picks the output by name', () => {
    const data = flatCandles(Array.from({ length: 80 }, (_, i) => 50 + 5 * Math.sin(i / 4)));
    const macd = computeIndicator({ indicator: 'macd', output: 'histogram' }, data);
    expect(Object.keys(macd.outputs)).toEqual(['histogram']);
    const smoothed = computeIndicator(
      { indicator: 'sma', period: 3, source: { indicator: 'macd', output: 'histogram' } },
      data,
    ).outputs.value;
    const h = macd.outputs.histogram;
    expect(smoothed[35]).toBeCloseTo((h[33]! + h[34]! + h[35]!) / 3, 12);
    expect(smoothed[34]).toBeNull(); // histogram starts at 33, so the 3-bar mean starts at 35
  });

  it('math combines series bar by bar, with constants', () => {
    const spec = (
      op: '+' | '-' | '*' | '/' | 'min' | 'max',
      right: number | IndicatorSpec,
    ): IndicatorSpec => ({
      indicator: 'math',
      op,
      left: 'close',
      right,
    });
    const close = RSI_CLOSES;
    expect(series(spec('*', 2))).toEqual(close.map((c) => c * 2));
    expect(series(spec('-', { indicator: 'shift', bars: 1 }))[1]).toBeCloseTo(
      close[1] - close[0],
      12,
    );
    expect(series(spec('max', 45))[0]).toBe(45);
    expect(series(spec('min', 45))[0]).toBe(44.34);
    const spread = series(spec('-', { indicator: 'sma', period: 3 }));
    expect(spread[0]).toBeNull();
    expect(spread[2]).toBeCloseTo(close[2] - (close[0] + close[1] + close[2]) / 3, 12);
  });

  it('division by zero and nulls give null, not Infinity or NaN', () => {
    const d = flatCandles([1, 2, 3], [0, 5, 0]);
    const r = computeIndicator({ indicator: 'math', op: '/', left: 'close', right: 'volume' }, d);
    expect(r.outputs.value).toEqual([null, 0.4, null]);
    // An indicator over a series with a gap skips the gap rather than poisoning what follows.
    const sma = computeIndicator(
      {
        indicator: 'sma',
        period: 1,
        source: { indicator: 'math', op: '/', left: 'close', right: 'volume' },
      },
      d,
    );
    expect(sma.outputs.value).toEqual([null, 0.4, null]);
  });

  it('a saved indicator is resolved by name and can be composed further', () => {
    const saved = {
      'rsi-smooth': { indicator: 'ema', period: 9, source: rsi14 } as IndicatorSpec,
      'my-macd': { indicator: 'macd', fast: 3, slow: 6, signal: 2 } as IndicatorSpec,
    };
    const direct = series({ indicator: 'ema', period: 9, source: rsi14 });
    expect(series({ indicator: 'saved', name: 'rsi-smooth' }, saved)).toEqual(direct);
    const centred = series(
      { indicator: 'math', op: '-', left: { indicator: 'saved', name: 'rsi-smooth' }, right: 50 },
      saved,
    );
    expect(centred[30]).toBeCloseTo(direct[30]! - 50, 12);
    const hist = series({ indicator: 'saved', name: 'my-macd', output: 'histogram' }, saved);
    expect(hist).toEqual(
      computeIndicator({ indicator: 'macd', fast: 3, slow: 6, signal: 2 }, candles).outputs
        .histogram,
    );
    const all = computeIndicator(
      { indicator: 'saved', name: 'my-macd' },
      candles,
      (n) => saved[n as 'my-macd'],
    );
    expect(Object.keys(all.outputs)).toEqual(['macd', 'signal', 'histogram']);
  });

  it('saved references: unknown names, bad saved specs, unknown outputs and cycles are refused', () => {
    const saved: Record<string, IndicatorSpec> = {
      a: { indicator: 'sma', period: 3, source: { indicator: 'saved', name: 'b' } },
      b: { indicator: 'math', op: '+', left: 1, right: { indicator: 'saved', name: 'a' } },
      self: { indicator: 'saved', name: 'self' },
      broken: { indicator: 'sma', period: 0 },
      plain: { indicator: 'sma', period: 3 },
    };
    const lookup = (n: string) => saved[n];
    const ref = (name: string, output?: string): IndicatorSpec => ({
      indicator: 'saved',
      name,
      output,
    });
    expectInvalid(
      () => computeIndicator(ref('a'), candles, lookup),
      'saved indicator cycle: a → b → a',
    );
    expectInvalid(
      () => computeIndicator(ref('self'), candles, lookup),
      'saved indicator cycle: self → self',
    );
    expectInvalid(
      () => computeIndicator(ref('missing'), candles, lookup),
      'unknown saved indicator "missing"',
    );
    expectInvalid(() => computeIndicator(ref('plain'), candles), 'unknown saved indicator "plain"');
    expectInvalid(
      () => computeIndicator(ref('broken'), candles, lookup),
      'saved indicator "broken".period: period must be an integer from 1 to 1000 (got 0)',
    );
    expectInvalid(
      () => computeIndicator(ref('plain', 'upper'), candles, lookup),
      'saved indicator "plain" has no output "upper" (has value)',
    );
  });

  it('composition depth is bounded at 8 levels, saved references adding none', () => {
    const nest = (levels: number): IndicatorSpec => {
      let spec: IndicatorSpec = { indicator: 'sma', period: 1 };
      for (let i = 1; i < levels; i++) spec = { indicator: 'sma', period: 1, source: spec };
      return spec;
    };
    expect(series(nest(8))).toEqual(RSI_CLOSES);
    expectInvalid(() => computeIndicator(nest(9), candles), 'composition is deeper than 8 levels');
    const saved = { deep: nest(7) };
    const viaSaved: IndicatorSpec = {
      indicator: 'sma',
      period: 1,
      source: { indicator: 'saved', name: 'deep' },
    };
    expect(series(viaSaved, saved)).toEqual(RSI_CLOSES);
    const tooDeep: IndicatorSpec = { indicator: 'ema', period: 1, source: viaSaved };
    expectInvalid(
      () => computeIndicator(tooDeep, candles, (n) => saved[n as 'deep']),
      'deeper than 8',
    );
  });

  it('a multi-output indicator used as an input must name its output', () => {
    expectInvalid(
      () =>
        computeIndicator({ indicator: 'sma', period: 3, source: { indicator: 'bbands' } }, candles),
      'bbands has several outputs (upper, middle, lower); pick one with "output"',
    );
  });
});

describe('work budget', () => {
  const many = (n: number, distinct: boolean): IndicatorSpec => {
    const leaves: IndicatorSpec[] = Array.from({ length: n }, (_, i) => ({
      indicator: 'bbands',
      period: 1000,
      stddev: distinct ? 1 + i / 100 : 2,
      output: 'middle',
    }));
    while (leaves.length > 1) {
      const [left, right] = leaves.splice(0, 2);
      leaves.push({ indicator: 'math', op: '+', left, right });
    }
    return leaves[0];
  };
  const big = flatCandles(Array.from({ length: 10_000 }, (_, i) => 100 + Math.sin(i)));

  it('refuses an over-budget spec before computing anything', () => {
    expectInvalid(() => computeIndicator(many(16, true), big), /spec is too expensive to compute/);
  });

  it('a repeated sub-spec is priced (and computed) once', () => {
    // 16 × bbands(1000) over 10,000 candles would be 160M bar-steps; once, it is 10M.
    const r = computeIndicator(many(16, false), big);
    const one = computeIndicator(many(1, false), big).outputs.middle;
    expect(r.outputs.value[9999]).toBeCloseTo(16 * one[9999]!, 6);
  });
});
