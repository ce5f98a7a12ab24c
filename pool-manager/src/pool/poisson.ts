// How many warm containers a forecast claim rate is worth: the claims arriving while a
// replacement is created are close to Poisson, so the mean alone would miss every other burst.

/**
 * How many containers are worth keeping for claims arriving at `perHour` when a replacement
 * takes `replenishMs`: one more is kept while it would save at least `savedPerHour` cold
 * starts an hour. With k warm (or on their way) a claim finds none when ≥ k claims came
 * during the last replenish, so the (k+1)-th saves perHour × P(N = k) cold starts an hour,
 * N ~ Poisson(perHour × replenish). Never fewer than the mean.
 */
export function worthKeeping(perHour: number, replenishMs: number, savedPerHour: number): number {
  const mean = (perHour * replenishMs) / 3_600_000;
  if (!(mean > 0)) return 0;
  let k = 0;
  let p = Math.exp(-mean); // P(N = 0)
  if (p === 0) return Math.ceil(mean + 3 * Math.sqrt(mean)); // a burst beyond doubles
  while (k < 10_000 && (k < mean || perHour * p >= savedPerHour)) {
    k++;
    p *= mean / k;
  }
  return k;
}
