import { errors } from '@warmgate/proto';
import type { IndicatorSpec } from './indicator-spec.js';

/**
 * Work budget for one call, in "bar-steps": roughly one per bar for streaming indicators, one
 * per bar per window element for those that rescan their window every bar. Depth ≤ 8 still
 * allows 255 nodes, and 255 × bbands(1000) over 10,000 candles would take half a minute; the
 * budget (≈ 1 s measured on a 2-core CI box) keeps a single call from pinning the agent.
 */
export const MAX_WORK = 100_000_000;

/** Estimated work of computing one node over `bars` candles (its inputs are counted apart). */
export function costOf(spec: IndicatorSpec, bars: number): number {
  switch (spec.indicator) {
    case 'bbands':
      return bars * (spec.period ?? 20);
    case 'stoch':
      return bars * 2 * ((spec.period ?? 14) + (spec.smooth ?? 3) + (spec.signal ?? 3));
    case 'sma':
    case 'wma':
    case 'rsi':
      return bars * (1 + (spec.period ?? 14) / 10);
    case 'macd':
      return bars * (1 + (spec.slow ?? 26) / 10);
    case 'atr':
      return bars * (1 + (spec.period ?? 14) / 10);
    default:
      return bars;
  }
}

/** Adds a node's cost to the running total; refuses the call once it is over budget. */
export function charge(spent: number, spec: IndicatorSpec, bars: number): number {
  const total = spent + costOf(spec, bars);
  if (total > MAX_WORK) {
    throw errors.invalidArgument(
      `spec is too expensive to compute (over ${MAX_WORK / 1e6}M bar-steps; ` +
        'use fewer indicators, shorter windows or fewer candles)',
    );
  }
  return total;
}
