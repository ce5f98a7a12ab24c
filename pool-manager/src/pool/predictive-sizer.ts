import { AdaptiveSizer, type AdaptiveSizerOptions } from './adaptive-sizer.js';
import { ClaimHistory, dayMs, type ClaimHistoryRecord } from './claim-history.js';
import { EwmaRate } from './ewma.js';
import { worthKeeping } from './poisson.js';
import type { TargetDecision, WarmSizer } from './warm-sizer.js';

export interface PredictiveOptions {
  /** Width of a time-of-day bucket (5 min). */
  readonly bucketMs: number;
  /** Complete days of history kept (28). */
  readonly keepDays: number;
  /**
   * The price of a warm container: history keeps one more warm only while it is expected to
   * save at least this many cold starts an hour (25).
   */
  readonly savedPerHour: number;
  /**
   * Below this share of the usual traffic (today's evidence), the price falls with the square
   * of the shortfall (0.5): on a quiet day each cold start weighs more in the day's hit rate,
   * and a second container saves fewer of them (∝ rate²), so the quiet day keeps its few.
   */
  readonly quietDayBelow: number;
  /** Added to the look-ahead: a resize pass only runs every so often (5 s). */
  readonly lookAheadSlackMs: number;
  /** Time constant over which today's claims are compared with the forecast (20 min). */
  readonly evidenceWindowMs: number;
  /** The forecast is scaled by today's evidence, at most by this much (1.5). */
  readonly maxEvidenceScale: number;
  /**
   * 'max' (default): target = max(history target, reactive target). 'surplus': one target
   * from the forecast rate plus the recent rate's surplus over it, max(forecast, recent rate).
   */
  readonly blend: 'max' | 'surplus';
}

export const defaultPredictiveOptions: PredictiveOptions = {
  bucketMs: 5 * 60_000,
  keepDays: 28,
  savedPerHour: 25,
  quietDayBelow: 0.5,
  lookAheadSlackMs: 5000,
  evidenceWindowMs: 20 * 60_000,
  maxEvidenceScale: 1.5,
  blend: 'max',
};

/** Pseudo-claims on both sides of the evidence ratio, so a quiet hour is no proof. */
const evidencePrior = 3;

/**
 * Warms ahead of the demand history predicts, and follows what it did not predict.
 *
 *   history = worthKeeping(peak forecast rate over [now, now + replenish + slack] × evidence,
 *             replenish, price): the k where a (k+1)-th warm container would save fewer
 *             than `price` cold starts an hour (Poisson claims during a replenish); price =
 *             savedPerHour, lowered on a quiet day (see quietDayBelow)
 *   recent  = the reactive AdaptiveSizer's target (EWMA of claims × replenish × margin)
 *   total   = min(max, max(min, history, recent))
 *
 * The forecast is the claim rate of the same time of day on past days (ClaimHistory). The
 * evidence factor compares today's claims with what the forecast expected over the last
 * `evidenceWindowMs`: a holiday or an early close shows as a shortfall within minutes and
 * scales the forecast down; the reactive part covers a surge the history never saw.
 */
export class PredictiveSizer implements WarmSizer {
  readonly history: ClaimHistory;
  private readonly reactive: AdaptiveSizer;
  private readonly observed: EwmaRate;
  private expected = 0;
  private evidenceAt: number | undefined;

  constructor(
    private readonly sizing: AdaptiveSizerOptions,
    private readonly options: PredictiveOptions = defaultPredictiveOptions,
  ) {
    this.reactive = new AdaptiveSizer(sizing);
    this.history = new ClaimHistory({ bucketMs: options.bucketMs, keepDays: options.keepDays });
    this.observed = new EwmaRate(options.evidenceWindowMs);
  }

  recordClaim(now: number): void {
    this.updateEvidence(now);
    this.reactive.recordClaim(now);
    this.history.record(now);
    this.observed.record(now);
  }

  recordCreate(durationMs: number): void {
    this.reactive.recordCreate(durationMs);
  }

  target(now: number): number {
    return this.decide(now).total;
  }

  decide(now: number): TargetDecision {
    const { minWarm, maxWarm } = this.sizing;
    const recent = this.reactive.target(now);
    if (!this.sizing.enabled) return { history: 0, recent, total: recent };
    this.updateEvidence(now);
    this.history.touch(now);
    const replenishMs = this.reactive.replenishMs;
    const today = Math.floor(now / dayMs);
    const ahead = now + replenishMs + this.options.lookAheadSlackMs;
    const scale = this.evidenceScale();
    const forecast = this.history.peakRatePerMs(now, ahead, today) * scale;
    const quiet = Math.min(1, scale / this.options.quietDayBelow);
    const price = this.options.savedPerHour * quiet * quiet;
    const history = Math.min(maxWarm, worthKeeping(forecast * 3_600_000, replenishMs, price));
    if (this.options.blend === 'surplus') {
      const recentPerHour = this.reactive.claimRatePerMinute(now) * 60;
      const rate = Math.max(forecast * 3_600_000, recentPerHour);
      const both = worthKeeping(rate, replenishMs, price);
      return { history, recent, total: Math.min(maxWarm, Math.max(minWarm, both)) };
    }
    const total = Math.min(maxWarm, Math.max(minWarm, history, recent));
    return { history, recent, total };
  }

  /** Today's claims ÷ what the history expected, over the evidence window (0 … max scale). */
  evidenceScale(): number {
    const tau = this.options.evidenceWindowMs;
    const seen = this.observed.perMs(this.evidenceAt ?? 0) * tau;
    const expected = this.expected * tau;
    const scale = (seen + evidencePrior) / (expected + evidencePrior);
    return Math.min(this.options.maxEvidenceScale, scale);
  }

  claimRatePerMinute(now: number): number {
    return this.reactive.claimRatePerMinute(now);
  }

  get replenishMs(): number {
    return this.reactive.replenishMs;
  }

  toRecord(): ClaimHistoryRecord {
    return this.history.toRecord();
  }

  /**
   * Moves the "expected" average to `now` along the forecast for the time that passed (in
   * steps of at most one bucket; what is older than four time constants has faded anyway).
   */
  private updateEvidence(now: number): void {
    const last = this.evidenceAt;
    if (last !== undefined && now <= last) return;
    this.evidenceAt = now;
    if (last === undefined) return;
    const tau = this.options.evidenceWindowMs;
    let t = Math.max(last, now - 4 * tau);
    this.expected *= Math.exp(-(t - last) / tau);
    while (t < now) {
      const step = Math.min(this.options.bucketMs, now - t);
      const rate = this.history.ratePerMs(t + step / 2, Math.floor(now / dayMs));
      const keep = Math.exp(-step / tau);
      this.expected = this.expected * keep + rate * (1 - keep);
      t += step;
    }
  }
}
