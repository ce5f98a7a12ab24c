import { MAX_PERIOD } from './indicator-spec.js';
import { PRICE_FIELDS } from './price-fields.js';

/** One built-in, as listed by the indicators://list resource. */
export interface CatalogEntry {
  name: string;
  description: string;
  /** JSON-Schema-like parameter descriptions (type, bounds, default). */
  params: Record<string, unknown>;
  /** Output names; use `output` to pick one when the spec is an input elsewhere. */
  outputs: string[];
}

const int = (description: string, fallback?: number, minimum = 1) => ({
  type: 'integer',
  minimum,
  maximum: MAX_PERIOD,
  ...(fallback === undefined ? {} : { default: fallback }),
  description,
});
const source = {
  description: 'input: a price field or another indicator spec (with "output" if it has several)',
  anyOf: [{ type: 'string', enum: [...PRICE_FIELDS] }, { $ref: 'IndicatorSpec' }],
  default: 'close',
};
const operand = {
  description: 'a number, a price field or an indicator spec',
  anyOf: [
    { type: 'number' },
    { type: 'string', enum: [...PRICE_FIELDS] },
    { $ref: 'IndicatorSpec' },
  ],
};

export const indicatorCatalog: CatalogEntry[] = [
  {
    name: 'sma',
    description: 'Simple moving average: the mean of the last `period` values.',
    params: { period: int('window length'), source },
    outputs: ['value'],
  },
  {
    name: 'ema',
    description:
      'Exponential moving average, weight 2/(period+1), seeded with the first value; reported from the period-th value on.',
    params: { period: int('smoothing length'), source },
    outputs: ['value'],
  },
  {
    name: 'wma',
    description: 'Linearly weighted moving average (newest value weighs `period`, oldest 1).',
    params: { period: int('window length'), source },
    outputs: ['value'],
  },
  {
    name: 'rsi',
    description: "Wilder's relative strength index, 0–100.",
    params: { period: int('smoothing length', 14), source },
    outputs: ['value'],
  },
  {
    name: 'macd',
    description: 'MACD: EMA(fast) − EMA(slow), its EMA(signal), and their difference.',
    params: {
      fast: int('fast EMA length (must be < slow)', 12),
      slow: int('slow EMA length', 26, 2),
      signal: int('signal EMA length', 9),
      source,
    },
    outputs: ['macd', 'signal', 'histogram'],
  },
  {
    name: 'bbands',
    description: 'Bollinger bands: SMA(period) ± stddev × population standard deviation.',
    params: {
      period: int('window length', 20),
      stddev: {
        type: 'number',
        minimum: 0,
        maximum: 10,
        default: 2,
        description: 'band width in standard deviations',
      },
      source,
    },
    outputs: ['upper', 'middle', 'lower'],
  },
  {
    name: 'atr',
    description: "Wilder's average true range (uses high, low, close).",
    params: { period: int('smoothing length', 14) },
    outputs: ['value'],
  },
  {
    name: 'stoch',
    description:
      'Slow stochastic oscillator, 0–100: %K over `period` bars smoothed by `smooth`; %D = SMA(signal) of %K.',
    params: {
      period: int('look-back length', 14),
      smooth: int('%K smoothing', 3),
      signal: int('%D length', 3),
    },
    outputs: ['k', 'd'],
  },
  {
    name: 'obv',
    description: 'On-balance volume (needs volume on every candle); starts on the second candle.',
    params: {},
    outputs: ['value'],
  },
  {
    name: 'price',
    description: 'A raw price field as a series.',
    params: { field: { type: 'string', enum: [...PRICE_FIELDS] } },
    outputs: ['value'],
  },
  {
    name: 'shift',
    description: "The input `bars` bars ago (e.g. yesterday's close).",
    params: { bars: int('how many bars back'), source },
    outputs: ['value'],
  },
  {
    name: 'math',
    description:
      'Bar-by-bar arithmetic of two operands; null where either is null or on division by zero.',
    params: {
      op: { type: 'string', enum: ['+', '-', '*', '/', 'min', 'max'] },
      left: operand,
      right: operand,
    },
    outputs: ['value'],
  },
  {
    name: 'saved',
    description: 'A user-saved indicator, by name; `output` picks one of its outputs.',
    params: {
      name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' },
      output: { type: 'string' },
    },
    outputs: ['(those of the saved spec)'],
  },
];
