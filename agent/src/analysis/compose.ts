import { errors } from '@warmgate/proto';
import type { Candle } from './candles.js';
import { type IndicatorSpec, type Operand, type Source } from './indicator-spec.js';
import * as ind from './indicators.js';
import { combine, shift } from './series-math.js';
import { priceSeries, type Series } from './price-fields.js';

/**
 * One evaluation: the candles, the saved specs resolveSpec found (already checked for
 * depth and cycles), and a memo shared by every spec of the call, so a sub-spec used twice (in
 * a strategy's entry and exit, or via two saved indicators) is computed once.
 */
export interface EvalContext {
  candles: readonly Candle[];
  saved: ReadonlyMap<string, IndicatorSpec>;
  memo: Map<string, ind.Outputs>;
}

export function createContext(
  candles: readonly Candle[],
  saved: ReadonlyMap<string, IndicatorSpec>,
): EvalContext {
  return { candles, saved, memo: new Map() };
}

/** Evaluates a validated spec to its outputs (all of them, or only the one named by `output`). */
export function evaluate(spec: IndicatorSpec, ctx: EvalContext): ind.Outputs {
  // `output` only selects from the outputs, so it is not part of what gets computed.
  const key =
    spec.indicator === 'saved'
      ? `saved:${spec.name}`
      : JSON.stringify({ ...spec, output: undefined });
  let all = ctx.memo.get(key);
  if (all === undefined) {
    all =
      spec.indicator === 'saved' ? evaluate(savedSpec(spec.name, ctx), ctx) : compute(spec, ctx);
    ctx.memo.set(key, all);
  }
  return pick(all, spec.output, describe(spec));
}

/** The single series a spec stands for when it is used as an input. */
export function evaluateSource(src: Source, ctx: EvalContext): Series {
  if (typeof src === 'string') return priceSeries(ctx.candles, src);
  const outputs = evaluate(src, ctx);
  const names = Object.keys(outputs);
  if (names.length !== 1) {
    throw errors.invalidArgument(
      `${describe(src)} has several outputs (${names.join(', ')}); pick one with "output" to use it as an input`,
    );
  }
  return outputs[names[0]];
}

export function evaluateOperand(op: Operand, ctx: EvalContext): Series {
  if (typeof op === 'number') return new Array(ctx.candles.length).fill(op);
  return evaluateSource(op, ctx);
}

function savedSpec(name: string, ctx: EvalContext): IndicatorSpec {
  const spec = ctx.saved.get(name);
  // resolveSpec runs first and records every reachable name, so this is a programming error.
  if (spec === undefined) throw errors.internal(`saved indicator "${name}" was not resolved`);
  return spec;
}

function compute(
  spec: Exclude<IndicatorSpec, { indicator: 'saved' }>,
  ctx: EvalContext,
): ind.Outputs {
  const input = (src: Source | undefined) => evaluateSource(src ?? 'close', ctx);
  switch (spec.indicator) {
    case 'sma':
    case 'ema':
    case 'wma':
      return ind[spec.indicator](input(spec.source), spec.period);
    case 'rsi':
      return ind.rsi(input(spec.source), spec.period ?? 14);
    case 'macd': {
      const [fast, slow] = [spec.fast ?? 12, spec.slow ?? 26];
      if (fast >= slow) {
        throw errors.invalidArgument(
          `macd fast must be less than slow (got fast ${fast}, slow ${slow})`,
        );
      }
      return ind.macd(input(spec.source), fast, slow, spec.signal ?? 9);
    }
    case 'bbands':
      return ind.bbands(input(spec.source), spec.period ?? 20, spec.stddev ?? 2);
    case 'atr':
      return ind.atr(ctx.candles, spec.period ?? 14);
    case 'stoch':
      return ind.stoch(ctx.candles, spec.period ?? 14, spec.smooth ?? 3, spec.signal ?? 3);
    case 'obv':
      return ind.obv(ctx.candles);
    case 'price':
      return { value: priceSeries(ctx.candles, spec.field) };
    case 'shift':
      return { value: shift(input(spec.source), spec.bars) };
    case 'math': {
      const left = evaluateOperand(spec.left, ctx);
      const right = evaluateOperand(spec.right, ctx);
      return { value: combine(spec.op, left, right) };
    }
  }
}

function pick(all: ind.Outputs, output: string | undefined, what: string): ind.Outputs {
  if (output === undefined) return all;
  if (!(output in all)) {
    throw errors.invalidArgument(
      `${what} has no output "${output}" (has ${Object.keys(all).join(', ')})`,
    );
  }
  return { [output]: all[output] };
}

function describe(spec: IndicatorSpec): string {
  return spec.indicator === 'saved' ? `saved indicator "${spec.name}"` : spec.indicator;
}

/** What identifies a computation: `output` only selects from the outputs, so it is left out. */
export function memoKey(spec: IndicatorSpec): string {
  return spec.indicator === 'saved'
    ? `saved:${spec.name}`
    : JSON.stringify({ ...spec, output: undefined });
}
