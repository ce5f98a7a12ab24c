/**
 * Warmgate's technical-analysis library: indicators (with composition and saved references)
 * and rule-based backtests over candles passed in by the caller. Pure: no I/O.
 */
import { errors } from '@warmgate/proto';
import { CandlesSchema, MAX_CANDLES, type Candle } from './candles.js';
import { createContext, evaluate } from './compose.js';
import { IndicatorSpecSchema, type IndicatorSpec } from './indicator-spec.js';
import { parseOrThrow } from './issues.js';
import type { Series } from './price-fields.js';
import { createResolution, resolveSpec, type Resolution, type SavedLookup } from './resolve.js';
import { evaluateRule, operandsOf } from './rules.js';
import { simulate, type BacktestReport } from './backtest.js';
import { StrategySchema, type Strategy } from './strategy-spec.js';

/** The array, and 7 fields per candle with room for a few extra keys. */
const CANDLES_JSON_NODES = 1 + MAX_CANDLES * 10;

export { CandleSchema, CandlesSchema, type Candle } from './candles.js';
export { IndicatorSpecSchema, type IndicatorSpec } from './indicator-spec.js';
export { StrategySchema, RuleSchema, type Strategy, type Rule } from './strategy-spec.js';
export { indicatorCatalog, type CatalogEntry } from './catalog.js';
export type { BacktestReport, Trade } from './backtest.js';
export type { SavedLookup } from './resolve.js';

/**
 * Computes a (possibly composed) indicator over `candles`. Each output is aligned to the
 * candles with `null` where it has no value; `warmup` is the number of leading bars before
 * every output has one (candles.length if that never happens).
 * @throws WarmgateError INVALID_ARGUMENT naming what was wrong.
 */
export function computeIndicator(
  spec: IndicatorSpec,
  candles: Candle[],
  saved?: SavedLookup,
): { outputs: Record<string, (number | null)[]>; warmup: number } {
  const bars = parseOrThrow(CandlesSchema, candles, 'candles', CANDLES_JSON_NODES);
  const parsed = parseOrThrow(IndicatorSpecSchema, spec, 'spec');
  const resolution = resolveSpec(parsed, createResolution(bars.length, saved));
  const ctx = createContext(bars, resolution.saved);
  const outputs = evaluate(parsed, ctx);
  return { outputs, warmup: Math.max(...Object.values(outputs).map((s) => leadingNulls(s))) };
}

/**
 * Backtests a rule-based strategy over `candles` (fill model: see {@link simulate}).
 * @throws WarmgateError INVALID_ARGUMENT naming what was wrong.
 */
export function backtest(
  strategy: Strategy,
  candles: Candle[],
  saved?: SavedLookup,
): BacktestReport {
  const bars = parseOrThrow(CandlesSchema, candles, 'candles', CANDLES_JSON_NODES);
  const s = parseOrThrow(StrategySchema, strategy, 'strategy');
  bars.forEach((c, i) => {
    if (!(c.open > 0 && c.low > 0 && c.close > 0)) {
      throw errors.invalidArgument(
        `backtest needs positive prices (candle ${i} has open ${c.open}, low ${c.low}, close ${c.close})`,
      );
    }
  });
  const ctx = createContext(bars, resolveStrategy(s, bars.length, saved).saved);
  return simulate(bars, evaluateRule(s.entry, ctx), evaluateRule(s.exit, ctx), {
    side: s.side,
    stopLossPct: s.stopLossPct,
    takeProfitPct: s.takeProfitPct,
    positionSize: s.positionSize ?? 1,
    fee: s.fee ?? 0,
    initialCapital: s.initialCapital ?? 10_000,
  });
}

/**
 * Checks a spec as computeIndicator would (schema, saved references, cycles, depth) without
 * computing it: for a tool that saves indicators. Returns the parsed spec.
 * @throws WarmgateError INVALID_ARGUMENT naming what was wrong.
 */
export function validateIndicatorSpec(spec: unknown, saved?: SavedLookup): IndicatorSpec {
  const parsed = parseOrThrow(IndicatorSpecSchema, spec, 'spec');
  resolveSpec(parsed, createResolution(1, saved));
  return parsed;
}

/** Checks a strategy as backtest would, without running it: for a tool that saves strategies. */
export function validateStrategy(strategy: unknown, saved?: SavedLookup): Strategy {
  const parsed = parseOrThrow(StrategySchema, strategy, 'strategy');
  resolveStrategy(parsed, 1, saved);
  return parsed;
}

function resolveStrategy(s: Strategy, bars: number, saved: SavedLookup | undefined): Resolution {
  const resolution = createResolution(bars, saved);
  for (const operand of [...operandsOf(s.entry), ...operandsOf(s.exit)]) {
    if (typeof operand === 'object') resolveSpec(operand, resolution);
  }
  return resolution;
}

function leadingNulls(series: Series): number {
  const first = series.findIndex((v) => v !== null);
  return first === -1 ? series.length : first;
}
