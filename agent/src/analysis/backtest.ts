import type { Candle } from './candles.js';
import { maxDrawdownPct } from './equity.js';

export type ExitReason = 'exit_rule' | 'stop_loss' | 'take_profit' | 'end_of_data';

export interface Trade {
  side: 'long' | 'short';
  entryTime: number;
  entryPrice: number;
  exitTime: number;
  exitPrice: number;
  /** Profit in quote currency, net of both fees. */
  pnl: number;
  /** pnl as a percent of the entry notional. */
  pnlPct: number;
  reason: ExitReason | string;
}

export interface BacktestReport {
  trades: Trade[];
  /** Final equity − initial capital. */
  pnl: number;
  /** pnl as a percent of initial capital. */
  pnlPct: number;
  /** Deepest peak-to-trough fall of the mark-to-market equity curve, in percent. */
  maxDrawdownPct: number;
  /** Winning trades / all trades, a fraction in [0, 1] (0 without trades). */
  winRate: number;
  tradeCount: number;
  /** Percent of bar-to-bar intervals spent in a position. */
  exposurePct: number;
  /** Equity at each candle's close, marked to market. */
  equityCurve?: number[];
}

export interface SimulationParams {
  side: 'long' | 'short';
  stopLossPct?: number;
  takeProfitPct?: number;
  positionSize: number;
  fee: number;
  initialCapital: number;
}

interface Position {
  index: number;
  price: number;
  qty: number;
  entryFee: number;
  cash: number;
}

/**
 * One position at a time. Fill model: enter at the close of the bar where the entry rule
 * fires; on later bars, a stop or take-profit touched by the bar's low/high fills at its level
 * (or at the open if the bar gapped through it; the stop wins when both are touched), else an
 * exit rule fills at the close; anything open at the last bar closes there. No entry on a bar
 * that closed a trade, nor on the last bar.
 */
export function simulate(
  candles: readonly Candle[],
  entry: readonly boolean[],
  exit: readonly boolean[],
  p: SimulationParams,
): BacktestReport {
  const dir = p.side === 'long' ? 1 : -1;
  const trades: Trade[] = [];
  const equityCurve: number[] = [];
  let cash = p.initialCapital;
  let pos: Position | undefined;
  let barsIn = 0;
  const last = candles.length - 1;
  candles.forEach((c, i) => {
    if (pos !== undefined) {
      const fill =
        exitFill(c, pos.price, dir, p) ??
        (exit[i] ? { price: c.close, reason: 'exit_rule' as const } : undefined) ??
        (i === last ? { price: c.close, reason: 'end_of_data' as const } : undefined);
      if (fill !== undefined) {
        const trade = close(pos, fill, candles, i, p);
        trades.push(trade);
        cash = pos.cash + trade.pnl;
        barsIn += i - pos.index;
        pos = undefined;
      }
    } else if (entry[i] && i < last && cash > 0) {
      // (an `else`: a bar that closed a trade opens none)
      const qty = (cash * p.positionSize) / c.close;
      pos = { index: i, price: c.close, qty, entryFee: qty * c.close * p.fee, cash };
    }
    equityCurve.push(
      pos === undefined ? cash : pos.cash - pos.entryFee + dir * pos.qty * (c.close - pos.price),
    );
  });
  const pnl = cash - p.initialCapital;
  return {
    trades,
    pnl,
    pnlPct: (pnl / p.initialCapital) * 100,
    maxDrawdownPct: maxDrawdownPct(equityCurve),
    winRate: trades.length === 0 ? 0 : trades.filter((t) => t.pnl > 0).length / trades.length,
    tradeCount: trades.length,
    exposurePct: candles.length < 2 ? 0 : (barsIn / (candles.length - 1)) * 100,
    equityCurve,
  };
}

function close(
  pos: Position,
  fill: { price: number; reason: ExitReason },
  candles: readonly Candle[],
  i: number,
  p: SimulationParams,
): Trade {
  const dir = p.side === 'long' ? 1 : -1;
  const exitFee = pos.qty * fill.price * p.fee;
  const pnl = dir * pos.qty * (fill.price - pos.price) - pos.entryFee - exitFee;
  return {
    side: p.side,
    entryTime: candles[pos.index].time,
    entryPrice: pos.price,
    exitTime: candles[i].time,
    exitPrice: fill.price,
    pnl,
    pnlPct: (pnl / (pos.qty * pos.price)) * 100,
    reason: fill.reason,
  };
}

/** A stop or take-profit hit within the bar, if any (the stop first: the pessimistic reading). */
function exitFill(
  c: Candle,
  entry: number,
  dir: number,
  p: SimulationParams,
): { price: number; reason: ExitReason } | undefined {
  // The bar's extreme against the position and in its favour; `dir` folds long and short
  // into one set of comparisons.
  const adverse = dir === 1 ? c.low : c.high;
  const favourable = dir === 1 ? c.high : c.low;
  if (p.stopLossPct !== undefined) {
    const stop = entry * (1 - (dir * p.stopLossPct) / 100);
    if (dir * (adverse - stop) <= 0) {
      return { price: dir * (c.open - stop) < 0 ? c.open : stop, reason: 'stop_loss' };
    }
  }
  if (p.takeProfitPct !== undefined) {
    const target = entry * (1 + (dir * p.takeProfitPct) / 100);
    if (dir * (favourable - target) >= 0) {
      return { price: dir * (c.open - target) > 0 ? c.open : target, reason: 'take_profit' };
    }
  }
  return undefined;
}
