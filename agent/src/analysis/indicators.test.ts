import { describe, expect, it } from 'vitest';
import { computeIndicator, type IndicatorSpec } from './index.js';
import { flatCandles, ohlc, RSI_CLOSES } from './fixtures.test-support.js';

const closes = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const value = (spec: IndicatorSpec, candles = flatCandles(closes(10))) =>
  computeIndicator(spec, candles).outputs.value;

describe('built-in indicators', () => {
  it('sma is the exact window mean, null during warm-up', () => {
    const r = computeIndicator({ indicator: 'sma', period: 3 }, flatCandles(closes(10)));
    expect(r.outputs).toEqual({ value: [null, null, 2, 3, 4, 5, 6, 7, 8, 9] });
    expect(r.warmup).toBe(2);
  });

  it('ema follows e = k·x + (1−k)·e_prev seeded with the first value', () => {
    // k = 2/(3+1) = 0.5: 1, 1.5, 2.25, 3.125, 4.0625, 5.03125 (exact in binary).
    expect(value({ indicator: 'ema', period: 3 }, flatCandles(closes(6)))).toEqual([
      null,
      null,
      2.25,
      3.125,
      4.0625,
      5.03125,
    ]);
  });

  it('wma weighs the newest value most', () => {
    expect(value({ indicator: 'wma', period: 3 }, flatCandles([1, 2, 3, 6]))).toEqual([
      null,
      null,
      14 / 6,
      (2 + 6 + 18) / 6,
    ]);
  });

  it("rsi follows Wilder's method on the textbook series", () => {
    const rsi = value({ indicator: 'rsi', period: 14 }, flatCandles(RSI_CLOSES));
    expect(rsi.slice(0, 14).every((v) => v === null)).toBe(true);
    // Wilder's recursion on these (rounded) closes, computed independently. StockCharts' table
    // prints 70.53, 66.32, ... because its spreadsheet holds unrounded prices; the gap
    // stays within 0.1 and shrinks as the smoothing forgets the seed.
    const expected = [
      70.4641, 66.2496, 66.4809, 69.3469, 66.2947, 57.915, 62.8807, 63.2088, 56.0116, 62.3399,
    ];
    expected.forEach((e, i) => expect(rsi[14 + i]).toBeCloseTo(e, 3));
    const stockCharts = [70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38];
    stockCharts.forEach((e, i) => expect(Math.abs(rsi[14 + i]! - e)).toBeLessThan(0.1));
  });

  it('macd = ema(fast) − ema(slow); signal and histogram wait for the signal EMA', () => {
    const data = Array.from({ length: 60 }, (_, i) => 100 + 10 * Math.sin(i / 5) + i / 3);
    const { outputs, warmup } = computeIndicator(
      { indicator: 'macd', fast: 12, slow: 26, signal: 9 },
      flatCandles(data),
    );
    const fast = value({ indicator: 'ema', period: 12 }, flatCandles(data));
    const slow = value({ indicator: 'ema', period: 26 }, flatCandles(data));
    expect(outputs.macd.findIndex((v) => v !== null)).toBe(25);
    for (let i = 25; i < 60; i++) expect(outputs.macd[i]).toBeCloseTo(fast[i]! - slow[i]!, 10);
    expect(outputs.signal.findIndex((v) => v !== null)).toBe(25 + 8);
    expect(warmup).toBe(33);
    for (let i = 33; i < 60; i++) {
      expect(outputs.histogram[i]).toBeCloseTo(outputs.macd[i]! - outputs.signal[i]!, 10);
    }
  });

  it('bollinger bands are sma ± k population standard deviations', () => {
    const { outputs } = computeIndicator(
      { indicator: 'bbands', period: 5, stddev: 2 },
      flatCandles(closes(5)),
    );
    expect(outputs.middle[4]).toBe(3);
    expect(outputs.upper[4]).toBeCloseTo(3 + 2 * Math.SQRT2, 12);
    expect(outputs.lower[4]).toBeCloseTo(3 - 2 * Math.SQRT2, 12);
    expect(outputs.upper.slice(0, 4)).toEqual([null, null, null, null]);
  });

  it("atr is Wilder's smoothing of the true range", () => {
    const candles = ohlc([
      [10, 12, 9, 11], // TR 3 (no previous close)
      [11, 13, 10, 12], // TR 3
      [12, 16, 11, 15], // TR 5
      [15, 15, 9, 10], // TR 6
    ]);
    // First ATR = mean(3, 3, 5) = 11/3; then (11/3·2 + 6)/3.
    const atr = value({ indicator: 'atr', period: 3 }, candles);
    expect(atr.slice(0, 3)).toEqual([null, null, 11 / 3]);
    expect(atr[3]).toBeCloseTo(((11 / 3) * 2 + 6) / 3, 12);
  });

  it('stoch %K is where the close sits in the look-back range', () => {
    const candles = ohlc([
      [5, 10, 0, 5],
      [5, 10, 0, 10],
      [5, 20, 0, 5],
    ]);
    const { outputs } = computeIndicator(
      { indicator: 'stoch', period: 2, smooth: 1, signal: 1 },
      candles,
    );
    expect(outputs.k).toEqual([null, 100, 25]);
    expect(outputs.d).toEqual([null, 100, 25]);
  });

  it('obv adds volume on up closes and subtracts it on down closes', () => {
    const candles = flatCandles([10, 11, 10.5, 10.5, 12], [100, 200, 300, 400, 500]);
    expect(value({ indicator: 'obv' }, candles)).toEqual([null, 200, -100, -100, 400]);
  });

  it('reads the chosen price field', () => {
    const candles = ohlc([[1, 4, 0, 2]]);
    expect(value({ indicator: 'price', field: 'hl2' }, candles)).toEqual([2]);
    expect(value({ indicator: 'price', field: 'hlc3' }, candles)).toEqual([2]);
    expect(value({ indicator: 'price', field: 'ohlc4' }, candles)).toEqual([7 / 4]);
    expect(value({ indicator: 'sma', period: 1, source: 'high' }, candles)).toEqual([4]);
  });

  it('reports warm-up as the whole series when the period is longer than the data', () => {
    const r = computeIndicator({ indicator: 'sma', period: 50 }, flatCandles(closes(10)));
    expect(r.warmup).toBe(10);
    expect(r.outputs.value).toHaveLength(10);
  });
});
