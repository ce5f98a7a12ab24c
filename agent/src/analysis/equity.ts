/** Deepest fall from a running peak, in percent of that peak (0 for a curve that never falls). */
export function maxDrawdownPct(curve: readonly number[]): number {
  let peak = -Infinity;
  let worst = 0;
  for (const value of curve) {
    if (value > peak) peak = value;
    if (peak > 0) worst = Math.max(worst, ((peak - value) / peak) * 100);
  }
  return worst;
}
