import { EwmaRate, EwmaValue } from './ewma.js';
import type { TargetDecision, WarmSizer } from './warm-sizer.js';

export interface AdaptiveSizerOptions {
  /** False: a fixed-size pool (the target is always minWarm). */
  enabled: boolean;
  minWarm: number;
  /** Upper bound of the warm target (the pool's max total also caps it at claim time). */
  maxWarm: number;
  /** Safety margin over claims expected during one replenish, e.g. 0.5 = +50 %. */
  margin: number;
  /** Time constant of the claim-rate average. */
  windowMs: number;
  /** Replenish time assumed before the first create is measured. */
  initialCreateMs: number;
}

/**
 * How many warm containers one profile should hold: enough to absorb the claims expected
 * while a replacement is being created, plus a margin, within [min, max].
 *   target = max(min, ceil(claimRate × replenishTime × (1 + margin)))
 */
export class AdaptiveSizer implements WarmSizer {
  /** Fast attack, slow release: the short average catches a burst within seconds, the long
   * one keeps the pool from collapsing in the lull between two waves. */
  private readonly fast: EwmaRate;
  private readonly slow: EwmaRate;
  private readonly createMs: EwmaValue;

  constructor(private readonly options: AdaptiveSizerOptions) {
    this.fast = new EwmaRate(options.windowMs / 4);
    this.slow = new EwmaRate(options.windowMs);
    this.createMs = new EwmaValue(options.initialCreateMs, 0.3);
  }

  recordClaim(now: number): void {
    this.fast.record(now);
    this.slow.record(now);
  }

  recordCreate(durationMs: number): void {
    this.createMs.record(durationMs);
  }

  target(now: number): number {
    const { minWarm, maxWarm, margin, enabled } = this.options;
    if (!enabled) return Math.min(minWarm, maxWarm);
    const expected = this.ratePerMs(now) * this.createMs.value * (1 + margin);
    // A tiny expected value would round up to 1 forever after one claim; ignore the dust.
    const wanted = expected < 0.05 ? 0 : Math.ceil(expected);
    return Math.min(maxWarm, Math.max(minWarm, wanted));
  }

  /** The reactive sizer has no history part: the whole target is the recent rate's. */
  decide(now: number): TargetDecision {
    const total = this.target(now);
    return { history: 0, recent: total, total };
  }

  claimRatePerMinute(now: number): number {
    return this.ratePerMs(now) * 60_000;
  }

  private ratePerMs(now: number): number {
    return Math.max(this.fast.perMs(now), this.slow.perMs(now));
  }

  get replenishMs(): number {
    return this.createMs.value;
  }
}
