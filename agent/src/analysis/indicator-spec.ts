import { z } from 'zod';
import { show } from './candles.js';
import { PRICE_FIELDS, PriceFieldSchema, type PriceField } from './price-fields.js';

export const MAX_PERIOD = 1_000;
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Where an indicator reads its input: a price field, or the (single) output of another spec. */
export type Source = PriceField | IndicatorSpec;
/** An argument of arithmetic: a source or a constant. */
export type Operand = Source | number;
export type MathOp = '+' | '-' | '*' | '/' | 'min' | 'max';

/**
 * A (possibly composed) indicator. Every node is an object with an `indicator` key; `output`
 * picks one output of a multi-output indicator (required when such a spec is used as an input).
 */
export type IndicatorSpec =
  | { indicator: 'sma' | 'ema' | 'wma'; period: number; source?: Source; output?: 'value' }
  | { indicator: 'rsi'; period?: number; source?: Source; output?: 'value' }
  | {
      indicator: 'macd';
      fast?: number;
      slow?: number;
      signal?: number;
      source?: Source;
      output?: 'macd' | 'signal' | 'histogram';
    }
  | {
      indicator: 'bbands';
      period?: number;
      stddev?: number;
      source?: Source;
      output?: 'upper' | 'middle' | 'lower';
    }
  | { indicator: 'atr'; period?: number; output?: 'value' }
  | { indicator: 'stoch'; period?: number; smooth?: number; signal?: number; output?: 'k' | 'd' }
  | { indicator: 'obv'; output?: 'value' }
  | { indicator: 'price'; field: PriceField; output?: 'value' }
  | { indicator: 'shift'; bars: number; source?: Source; output?: 'value' }
  | { indicator: 'math'; op: MathOp; left: Operand; right: Operand; output?: 'value' }
  | { indicator: 'saved'; name: string; output?: string };

function intParam(name: string, min: number, max: number) {
  const message = (iss: { input: unknown }) =>
    `${name} must be an integer from ${min} to ${max} (got ${show(iss.input)})`;
  return z
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: message })
    .max(max, { error: message });
}

const period = intParam('period', 1, MAX_PERIOD);
const value = z.literal('value', { error: (iss) => outputError(iss.input, ['value']) }).optional();

function outputError(input: unknown, outputs: string[]): string {
  return `unknown output ${show(input)} (expected one of ${outputs.join(', ')})`;
}

function outputs<const T extends readonly [string, ...string[]]>(names: T) {
  return z.enum(names, { error: (iss) => outputError(iss.input, [...names]) }).optional();
}

export const NameSchema = z
  .string({ error: (iss) => `name must be a string (got ${show(iss.input)})` })
  .regex(NAME_PATTERN, {
    error: (iss) =>
      `name must match ${NAME_PATTERN.source} (lower-case letters, digits, _ and -; got ${show(iss.input)})`,
  });

const source = z
  .union([PriceFieldSchema, z.lazy(() => IndicatorSpecSchema)], {
    error: (iss) =>
      `expected a price field (${PRICE_FIELDS.join(', ')}) or an indicator spec object (got ${show(iss.input)})`,
  })
  .optional()
  .describe('input series: a price field (default "close") or another indicator spec');
/** A number, a price field or an indicator spec: the sides of arithmetic and of rules. */
export const OperandSchema = z.union(
  [
    z.number({ error: (iss) => `operand must be a finite number (got ${show(iss.input)})` }),
    PriceFieldSchema,
    z.lazy(() => IndicatorSpecSchema),
  ],
  {
    error: (iss) =>
      `expected a number, a price field (${PRICE_FIELDS.join(', ')}) or an indicator spec object (got ${show(iss.input)})`,
  },
);
const operand = OperandSchema;

const kinds = [
  z.strictObject({ indicator: z.enum(['sma', 'ema', 'wma']), period, source, output: value }),
  z.strictObject({ indicator: z.literal('rsi'), period: period.optional(), source, output: value }),
  z.strictObject({
    indicator: z.literal('macd'),
    fast: intParam('fast', 1, MAX_PERIOD).optional(),
    slow: intParam('slow', 2, MAX_PERIOD).optional(),
    signal: intParam('signal', 1, MAX_PERIOD).optional(),
    source,
    output: outputs(['macd', 'signal', 'histogram']),
  }),
  z.strictObject({
    indicator: z.literal('bbands'),
    period: period.optional(),
    stddev: z
      .number({ error: (iss) => `stddev must be a number from 0 to 10 (got ${show(iss.input)})` })
      .min(0, { error: (iss) => `stddev must be a number from 0 to 10 (got ${show(iss.input)})` })
      .max(10, { error: (iss) => `stddev must be a number from 0 to 10 (got ${show(iss.input)})` })
      .optional(),
    source,
    output: outputs(['upper', 'middle', 'lower']),
  }),
  z.strictObject({ indicator: z.literal('atr'), period: period.optional(), output: value }),
  z.strictObject({
    indicator: z.literal('stoch'),
    period: period.optional(),
    smooth: intParam('smooth', 1, MAX_PERIOD).optional(),
    signal: intParam('signal', 1, MAX_PERIOD).optional(),
    output: outputs(['k', 'd']),
  }),
  z.strictObject({ indicator: z.literal('obv'), output: value }),
  z.strictObject({ indicator: z.literal('price'), field: PriceFieldSchema, output: value }),
  z.strictObject({
    indicator: z.literal('shift'),
    bars: intParam('bars', 1, MAX_PERIOD),
    source,
    output: value,
  }),
  z.strictObject({
    indicator: z.literal('math'),
    op: z.enum(['+', '-', '*', '/', 'min', 'max'], {
      error: (iss) => `unknown op ${show(iss.input)} (expected one of +, -, *, /, min, max)`,
    }),
    left: operand,
    right: operand,
    output: value,
  }),
  z.strictObject({
    indicator: z.literal('saved'),
    name: NameSchema,
    output: z
      .string({ error: (iss) => `output must be a string (got ${show(iss.input)})` })
      .optional(),
  }),
] as const;

export const IndicatorSpecSchema: z.ZodType<IndicatorSpec> = z.lazy(() =>
  z
    .discriminatedUnion('indicator', kinds)
    .describe(
      'An indicator, e.g. {"indicator":"ema","period":9,"source":{"indicator":"rsi","period":14}}. ' +
        '"output" picks one output of a multi-output indicator (macd: macd|signal|histogram; ' +
        'bbands: upper|middle|lower; stoch: k|d).',
    ),
);

/** The `indicator` values the schema accepts, in catalog order. */
export const INDICATOR_KINDS = [
  'sma',
  'ema',
  'wma',
  'rsi',
  'macd',
  'bbands',
  'atr',
  'stoch',
  'obv',
  'price',
  'shift',
  'math',
  'saved',
] as const;
