import {
  ATR,
  BollingerBands,
  EMA,
  MACD,
  OBV,
  RSI,
  SMA,
  StochasticOscillator,
  WMA,
} from 'trading-signals';
import type { Candle } from './candles.js';
import { volumes, type Series } from './price-fields.js';

/** Named outputs of one indicator, each aligned to the candles. */
export type Outputs = Record<string, Series>;

/** What the series indicators need from a trading-signals instance. */
interface Streaming<In, Out> {
  add(input: In): unknown;
  getResult(): Out | null;
}

/**
 * Streams `inputs` through a fresh indicator. A `null` input (an upstream warm-up bar or a
 * division by zero) is skipped: the indicator is not updated and that bar's outputs are null.
 */
function stream<In, Out>(
  inputs: readonly (In | null)[],
  indicator: Streaming<In, Out>,
  read: (result: Out) => Record<string, number | null>,
  names: readonly string[],
): Outputs {
  const out: Outputs = Object.fromEntries(
    names.map((n) => [n, new Array(inputs.length).fill(null)]),
  );
  inputs.forEach((input, i) => {
    if (input === null) return;
    indicator.add(input);
    const result = indicator.getResult();
    if (result === null) return;
    for (const [name, v] of Object.entries(read(result))) out[name][i] = finite(v);
  });
  return out;
}

/** Overflowing arithmetic must never leak NaN or ±Infinity into a result. */
export function finite(v: number | null): number | null {
  return v !== null && Number.isFinite(v) ? v : null;
}

const single = (v: number) => ({ value: v });

export function sma(src: Series, period: number): Outputs {
  return stream(src, new SMA(period), single, ['value']);
}

/** EMA seeded with the first value (pandas `ewm(adjust=False)`), reported from bar `period`. */
export function ema(src: Series, period: number): Outputs {
  return stream(src, new EMA(period), single, ['value']);
}

export function wma(src: Series, period: number): Outputs {
  return stream(src, new WMA(period), single, ['value']);
}

/** Wilder's RSI (averages seeded with an SMA, then smoothed by 1/period). */
export function rsi(src: Series, period: number): Outputs {
  return stream(src, new RSI(period), single, ['value']);
}

export function macd(src: Series, fast: number, slow: number, signal: number): Outputs {
  const m = new MACD(new EMA(fast), new EMA(slow), new EMA(signal));
  // trading-signals reports the signal line from its first input; hold it back until its EMA
  // has seen `signal` values so no output is a half-seeded average.
  return stream(
    src,
    m,
    (r) => ({
      macd: r.macd,
      signal: m.signal.isStable ? r.signal : null,
      histogram: m.signal.isStable ? r.histogram : null,
    }),
    ['macd', 'signal', 'histogram'],
  );
}

export function bbands(src: Series, period: number, stddev: number): Outputs {
  return stream(src, new BollingerBands(period, stddev), (r) => r, ['upper', 'middle', 'lower']);
}

/** Wilder's ATR over true range; the first true range is high − low. */
export function atr(candles: readonly Candle[], period: number): Outputs {
  return stream(candles, new ATR(period), single, ['value']);
}

/** Slow stochastic: %K over `period` bars smoothed by `smooth`, %D = SMA(`signal`) of %K. */
export function stoch(
  candles: readonly Candle[],
  period: number,
  smooth: number,
  signal: number,
): Outputs {
  const s = new StochasticOscillator({ kPeriod: period, kSlowingPeriod: smooth, dPeriod: signal });
  return stream(candles, s, (r) => ({ k: r.stochK, d: r.stochD }), ['k', 'd']);
}

/** On-balance volume, starting at ±volume on the second candle (the first has no previous close). */
export function obv(candles: readonly Candle[]): Outputs {
  const vols = volumes(candles, 'obv');
  const input = candles.map((c, i) => ({ ...c, volume: vols[i] }));
  // trading-signals' OBV "interval" is its look-back window; 2 = the previous candle only.
  return stream(input, new OBV(2), single, ['value']);
}
