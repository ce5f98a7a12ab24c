import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ErrorCode, WarmgateError } from '@warmgate/proto';
import {
  backtest,
  computeIndicator,
  type Candle,
  type IndicatorSpec,
  type Strategy,
} from './index.js';
import { INDICATOR_KINDS } from './indicator-spec.js';
import { PRICE_FIELDS } from './price-fields.js';

/** Values that sit near the valid ones: right keys, plausible and implausible numbers. */
const scalar = fc.oneof(
  fc.integer({ min: -5, max: 60 }),
  fc.constantFrom(0, 1, 2, 1000, 1001, 0.5, -1, Number.MAX_VALUE, 1e-300),
  fc.constantFrom(...PRICE_FIELDS, 'hl3', '', 'value', 'histogram', 'k', 'upper'),
  fc.constantFrom(null, true, '+', '-', '*', '/', 'min', 'max', '^'),
);

/** Mostly valid values, now and then a wrong one, so both paths get exercised. */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: scalar });
const small = mostly(fc.integer({ min: 1, max: 30 }));

const specLike = fc.letrec<{ spec: unknown; source: unknown }>((tie) => {
  const kind = (
    indicator: string | fc.Arbitrary<string>,
    fields: Record<string, fc.Arbitrary<unknown>>,
  ) =>
    fc.record(
      { indicator: typeof indicator === 'string' ? fc.constant(indicator) : indicator, ...fields },
      { requiredKeys: ['indicator'] },
    );
  const source = tie('source');
  return {
    source: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 3, arbitrary: fc.constantFrom(...PRICE_FIELDS) },
      { weight: 1, arbitrary: scalar },
      { weight: 3, arbitrary: tie('spec') },
    ),
    spec: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      kind(fc.constantFrom('sma', 'ema', 'wma', 'rsi'), {
        period: small,
        source,
        output: mostly(fc.constant('value')),
      }),
      kind('macd', {
        fast: small,
        slow: small,
        signal: small,
        source,
        output: mostly(fc.constantFrom('macd', 'signal', 'histogram')),
      }),
      kind('bbands', {
        period: small,
        stddev: mostly(fc.double({ min: 0, max: 10, noNaN: true })),
        source,
      }),
      kind(fc.constantFrom('atr', 'obv'), { period: small }),
      kind('stoch', {
        period: small,
        smooth: small,
        signal: small,
        output: mostly(fc.constantFrom('k', 'd')),
      }),
      kind('price', { field: mostly(fc.constantFrom(...PRICE_FIELDS)) }),
      kind('shift', { bars: small, source }),
      kind('math', {
        op: mostly(fc.constantFrom('+', '-', '*', '/', 'min', 'max')),
        left: fc.oneof(source, fc.double({ noNaN: true })),
        right: fc.oneof(source, fc.double({ noNaN: true })),
      }),
      kind('saved', { name: fc.constantFrom('a', 'b', 'loop', 'missing', 'Bad'), output: scalar }),
      kind(fc.constantFrom(...INDICATOR_KINDS, 'foo', 'SMA'), { period: small, colour: scalar }),
    ),
  };
});

const candlesArb: fc.Arbitrary<Candle[]> = fc
  .array(
    fc.record({
      open: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      low: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      range: fc.double({ min: 0, max: 1e3, noNaN: true }),
      close: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      volume: fc.option(fc.double({ min: 0, max: 1e9, noNaN: true }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 60 },
  )
  .map((rows) =>
    rows.map((r, i) => ({
      time: i * 60_000,
      open: r.open,
      high: r.low + r.range,
      low: r.low,
      close: r.close,
      ...(r.volume === undefined ? {} : { volume: r.volume }),
    })),
  );

const saved: Record<string, IndicatorSpec> = {
  a: { indicator: 'rsi', period: 3 },
  b: { indicator: 'macd', fast: 2, slow: 4, signal: 2 },
  loop: { indicator: 'ema', period: 2, source: { indicator: 'saved', name: 'loop' } },
};
const lookup = (name: string) => saved[name];

/** Checks one call; returns whether it produced a result (rather than an error). */
function check(spec: unknown, candles: Candle[]): boolean {
  let result;
  try {
    result = computeIndicator(spec as IndicatorSpec, candles, lookup);
  } catch (e) {
    expect(e).toBeInstanceOf(WarmgateError);
    expect((e as WarmgateError).code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect((e as WarmgateError).message.length).toBeGreaterThan(0);
    return false;
  }
  const outputs = Object.values(result.outputs);
  expect(outputs.length).toBeGreaterThan(0);
  for (const series of outputs) {
    expect(series).toHaveLength(candles.length);
    for (const v of series) expect(v === null || Number.isFinite(v)).toBe(true);
  }
  expect(result.warmup).toBeGreaterThanOrEqual(0);
  expect(result.warmup).toBeLessThanOrEqual(candles.length);
  return true;
}

describe('computeIndicator on arbitrary input', () => {
  it('throws only INVALID_ARGUMENT for arbitrary JSON specs', () => {
    fc.assert(
      fc.property(fc.jsonValue(), candlesArb, (spec, c) => {
        check(spec, c);
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('spec-shaped input: results are aligned and finite, errors are INVALID_ARGUMENT', () => {
    let computed = 0;
    fc.assert(
      fc.property(specLike.spec, candlesArb, (spec, c) => {
        if (check(spec, c)) computed++;
      }),
      { numRuns: 1500, seed: 7 },
    );
    // The generator must keep reaching the computing paths, not only the validation ones.
    expect(computed).toBeGreaterThan(300);
  });
});

const operand = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...PRICE_FIELDS) },
  { weight: 2, arbitrary: fc.integer({ min: 60, max: 140 }) },
  {
    weight: 3,
    arbitrary: fc.record({
      indicator: fc.constantFrom('sma', 'ema', 'wma', 'rsi'),
      period: fc.integer({ min: 1, max: 20 }),
    }),
  },
  { weight: 1, arbitrary: specLike.source },
);

const ruleLike = fc.letrec<{ rule: unknown }>((tie) => ({
  rule: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      left: operand,
      op: mostly(fc.constantFrom('>', '<', '>=', '<=', 'crosses_above', 'crosses_below')),
      right: operand,
    }),
    fc.record({ all: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }) }),
  ),
}));

const strategyLike = fc.record(
  {
    name: mostly(fc.constant('s')),
    side: mostly(fc.constantFrom('long', 'short')),
    entry: ruleLike.rule,
    exit: ruleLike.rule,
    stopLossPct: mostly(fc.double({ min: 0.1, max: 50, noNaN: true })),
    takeProfitPct: mostly(fc.double({ min: 0.1, max: 50, noNaN: true })),
    fee: mostly(fc.constantFrom(0, 0.001)),
  },
  { requiredKeys: ['name', 'side', 'entry', 'exit'] },
);

describe('backtest on arbitrary strategies', () => {
  it('reports consistent numbers or fails with INVALID_ARGUMENT', () => {
    const candles = Array.from({ length: 120 }, (_, i) => {
      const close = 100 + 20 * Math.sin(i / 6) + 5 * Math.sin(i * 1.7);
      return {
        time: i * 60_000,
        open: close - 1,
        high: close + 3,
        low: close - 3,
        close,
        volume: 10,
      };
    });
    let ran = 0;
    fc.assert(
      fc.property(strategyLike, (strategy) => {
        let r;
        try {
          r = backtest(strategy as Strategy, candles, lookup);
        } catch (e) {
          expect(e).toBeInstanceOf(WarmgateError);
          expect((e as WarmgateError).code).toBe(ErrorCode.INVALID_ARGUMENT);
          return;
        }
        ran++;
        expect(r.equityCurve).toHaveLength(candles.length);
        expect(r.tradeCount).toBe(r.trades.length);
        expect(r.winRate).toBeGreaterThanOrEqual(0);
        expect(r.winRate).toBeLessThanOrEqual(1);
        expect(r.exposurePct).toBeGreaterThanOrEqual(0);
        expect(r.exposurePct).toBeLessThanOrEqual(100);
        expect(r.maxDrawdownPct).toBeGreaterThanOrEqual(0);
        expect(r.pnl).toBeCloseTo(
          r.trades.reduce((n, t) => n + t.pnl, 0),
          6,
        );
        r.trades.forEach((t, i) => {
          expect(t.exitTime).toBeGreaterThan(t.entryTime);
          if (i > 0) expect(t.entryTime).toBeGreaterThan(r.trades[i - 1].exitTime);
        });
      }),
      { numRuns: 400, seed: 11 },
    );
    expect(ran).toBeGreaterThan(50);
  });
});
