// What a profile slot asks its sizer: how many warm containers now, and why.

/** A warm target and where it came from (the metrics and GetStatus report all three). */
export interface TargetDecision {
  /** What the learned daily shape asks for, looking ahead by the replenish time (0 without). */
  readonly history: number;
  /** What the recent claim rate asks for (the reactive EWMA sizer). */
  readonly recent: number;
  /** The target, within the profile's [min, max]. */
  readonly total: number;
}

export interface WarmSizer {
  recordClaim(now: number): void;
  recordCreate(durationMs: number): void;
  decide(now: number): TargetDecision;
  claimRatePerMinute(now: number): number;
}
