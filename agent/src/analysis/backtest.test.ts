import { describe, expect, it } from 'vitest';
import { backtest, type Rule, type Strategy } from './index.js';
import { flatCandles, ohlc, sine } from './fixtures.test-support.js';

const never: Rule = { left: 'close', op: '<', right: 0 };
const strategy = (s: Partial<Strategy> & Pick<Strategy, 'entry'>): Strategy => ({
  name: 'test',
  side: 'long',
  exit: never,
  initialCapital: 1000,
  ...s,
});

describe('backtest', () => {
  it('trades a hand-checked series: fills at the close, exits on the rule and at the end of data', () => {
    const candles = flatCandles([10, 12, 14, 9, 9, 13, 16, 18]);
    const r = backtest(
      strategy({
        entry: { left: 'close', op: 'crosses_above', right: 11 },
        exit: { left: 'close', op: 'crosses_below', right: 11 },
      }),
      candles,
    );
    expect(r.trades.map((t) => [t.entryPrice, t.exitPrice, t.reason])).toEqual([
      [12, 9, 'exit_rule'],
      [13, 18, 'end_of_data'],
    ]);
    expect(r.trades[0].entryTime).toBe(candles[1].time);
    expect(r.trades[0].exitTime).toBe(candles[3].time);
    expect(r.trades[0].pnl).toBeCloseTo(-250, 9); // 1000/12 units × −3
    expect(r.trades[0].pnlPct).toBeCloseTo(-25, 9);
    expect(r.trades[1].pnl).toBeCloseTo((750 / 13) * 5, 9);
    expect(r.pnl).toBeCloseTo(-250 + (750 / 13) * 5, 9);
    expect(r.pnlPct).toBeCloseTo(r.pnl / 10, 9);
    expect(r.tradeCount).toBe(2);
    expect(r.winRate).toBe(0.5);
    expect(r.exposurePct).toBeCloseTo((4 / 7) * 100, 9); // bars 1→3 and 5→7 of 7 intervals
    // Peak 1000·14/12 at bar 2, trough 750 at bar 3: the fall from 14 to 9.
    expect(r.maxDrawdownPct).toBeCloseTo((5 / 14) * 100, 9);
    expect(r.equityCurve?.map((v) => +v.toFixed(6))).toEqual(
      [1000, 1000, (1000 * 14) / 12, 750, 750, 750, (750 * 16) / 13, (750 * 18) / 13].map(
        (v) => +v.toFixed(6),
      ),
    );
  });

  it('charges the fee on both sides and sizes by positionSize', () => {
    const candles = flatCandles([10, 12, 14, 9]);
    const r = backtest(
      strategy({
        entry: { left: 'close', op: 'crosses_above', right: 11 },
        fee: 0.001,
        positionSize: 0.5,
      }),
      candles,
    );
    const qty = 500 / 12;
    const pnl = qty * (9 - 12) - qty * 12 * 0.001 - qty * 9 * 0.001;
    expect(r.trades[0].pnl).toBeCloseTo(pnl, 9);
    expect(r.pnl).toBeCloseTo(pnl, 9);
    expect(r.trades[0].pnlPct).toBeCloseTo((pnl / 500) * 100, 9);
  });

  it('finds the predictable sma crossovers of a sine wave, all winners', () => {
    const candles = sine(400, 40);
    const close = candles.map((c) => c.close);
    const sma = close.map((_, i) =>
      i < 9 ? null : close.slice(i - 9, i + 1).reduce((a, b) => a + b) / 10,
    );
    const crossings = (above: boolean) =>
      close.flatMap((c, i) => {
        if (i === 0 || sma[i] === null || sma[i - 1] === null) return [];
        const [was, is] = [close[i - 1] - sma[i - 1]!, c - sma[i]!];
        return (above ? was <= 0 && is > 0 : was >= 0 && is < 0) ? [i] : [];
      });
    const r = backtest(
      strategy({
        entry: { left: 'close', op: 'crosses_above', right: { indicator: 'sma', period: 10 } },
        exit: { left: 'close', op: 'crosses_below', right: { indicator: 'sma', period: 10 } },
      }),
      candles,
    );
    const ups = crossings(true);
    expect(ups.length).toBe(10); // one per 40-bar cycle
    expect(r.trades.map((t) => t.entryTime)).toEqual(ups.map((i) => candles[i].time));
    const downs = crossings(false);
    const last = candles.length - 1;
    const exits = ups.map((u) => downs.find((d) => d > u) ?? last);
    expect(r.trades.map((t) => t.exitTime)).toEqual(exits.map((i) => candles[i].time));
    expect(r.trades.map((t) => t.reason)).toEqual(
      exits.map((i) => (i === last ? 'end_of_data' : 'exit_rule')),
    );
    expect(r.trades.every((t) => t.pnl > 0)).toBe(true);
    expect(r.winRate).toBe(1);
    for (let i = 1; i < ups.length; i++) expect(ups[i] - ups[i - 1]).toBe(40);
  });

  it('a short strategy profits from the falls of the same wave', () => {
    const sma10 = { indicator: 'sma', period: 10 } as const;
    const r = backtest(
      strategy({
        side: 'short',
        entry: { left: 'close', op: 'crosses_below', right: sma10 },
        exit: { left: 'close', op: 'crosses_above', right: sma10 },
      }),
      sine(400, 40),
    );
    expect(r.tradeCount).toBeGreaterThanOrEqual(9);
    expect(
      r.trades.every((t) => t.side === 'short' && t.exitPrice < t.entryPrice && t.pnl > 0),
    ).toBe(true);
    expect(r.pnl).toBeGreaterThan(0);
  });

  it('a strategy that never fires reports no trades and a flat curve', () => {
    const r = backtest(strategy({ entry: never }), sine(50, 10));
    expect(r).toMatchObject({
      trades: [],
      pnl: 0,
      pnlPct: 0,
      maxDrawdownPct: 0,
      winRate: 0,
      tradeCount: 0,
      exposurePct: 0,
    });
    expect(r.equityCurve).toEqual(new Array(50).fill(1000));
  });

  it('never enters on the last bar, nor on the bar that closed a trade', () => {
    const always: Rule = { left: 'close', op: '>', right: 0 };
    const r = backtest(strategy({ entry: always, exit: always }), flatCandles([1, 2, 3, 4, 5]));
    // enter 0, exit 1 (no re-entry), enter 2, exit 3, bar 4 is the last.
    expect(r.trades.map((t) => [t.entryPrice, t.exitPrice])).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});

describe('stops and targets', () => {
  // Bar 0 closes at 98, bar 1 at 100: the entry fires on bar 1 at 100.
  const entry: Rule = { left: 'close', op: 'crosses_above', right: 99 };
  const run = (rows: [number, number, number, number][], s: Partial<Strategy>) =>
    backtest(strategy({ entry, ...s }), ohlc([[98, 98, 98, 98], [100, 100, 100, 100], ...rows]))
      .trades[0];

  it('a long stop fills at the stop level when the low touches it', () => {
    const t = run([[99, 101, 94, 97]], { stopLossPct: 5 });
    expect(t.exitPrice).toBeCloseTo(95, 9);
    expect(t.reason).toBe('stop_loss');
    expect(t.pnlPct).toBeCloseTo(-5, 9);
  });

  it('a gap through the stop fills at the open', () => {
    expect(run([[90, 92, 88, 91]], { stopLossPct: 5 }).exitPrice).toBe(90);
  });

  it('a long take-profit fills at the target (or at a gap open above it)', () => {
    const t = run([[101, 111, 100, 105]], { takeProfitPct: 10 });
    expect(t.exitPrice).toBeCloseTo(110, 9);
    expect(t.reason).toBe('take_profit');
    expect(run([[115, 116, 114, 115]], { takeProfitPct: 10 }).exitPrice).toBe(115);
  });

  it('when one bar touches both, the stop is assumed first', () => {
    expect(run([[100, 111, 94, 100]], { stopLossPct: 5, takeProfitPct: 10 }).reason).toBe(
      'stop_loss',
    );
  });

  it('a short stop is above the entry and its target below', () => {
    const short = { side: 'short' as const, stopLossPct: 5, takeProfitPct: 10 };
    const stopped = run([[101, 106, 100, 104]], short);
    expect(stopped.exitPrice).toBeCloseTo(105, 9);
    expect(stopped.reason).toBe('stop_loss');
    expect(stopped.pnl).toBeCloseTo((-1000 / 100) * 5, 9);
    const won = run([[99, 99, 89, 92]], short);
    expect(won.exitPrice).toBeCloseTo(90, 9);
    expect(won.reason).toBe('take_profit');
    expect(won.pnl).toBeCloseTo((1000 / 100) * 10, 9);
  });

  it('stops are checked before the exit rule of the same bar', () => {
    const t = run([[99, 101, 94, 97]], {
      stopLossPct: 5,
      exit: { left: 'close', op: '<', right: 98 },
    });
    expect(t.reason).toBe('stop_loss');
  });
});
