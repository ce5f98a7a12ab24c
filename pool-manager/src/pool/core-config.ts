// What the pool core is configured with (config.ts builds it from the environment).
import type { PredictiveOptions } from './predictive-sizer.js';

export interface ProfileConfig {
  readonly name: string;
  readonly minWarm: number;
  /** Warm + starting + bound containers of this profile, at most. */
  readonly maxTotal: number;
  readonly template?: Readonly<Record<string, string>>;
  /** The agent its containers run (WARMGATE_POOL_AGENT, or `agent=` in the profile). */
  readonly agent?: string;
}

export interface TierConfig {
  readonly profile: string;
  readonly idleTimeoutMs: number;
}

export interface PoolCoreConfig {
  readonly profiles: readonly ProfileConfig[];
  readonly tiers: Readonly<Record<string, TierConfig>>;
  /**
   * The profile every public (anonymous) acquire uses, whatever its tier: its own cap, so
   * anonymous load can never take a paying tier's container. Unset: the tier's profile.
   */
  readonly publicProfile?: string;
  /** Public (anonymous) sessions expire after this, whatever their tier. */
  readonly publicIdleTimeoutMs: number;
  readonly adaptive: {
    /** False: the warm target is the profile's minWarm, always (a fixed-size pool). */
    readonly enabled: boolean;
    /** Safety margin over the claims expected during one replenish (0.5 = +50 %). */
    readonly margin: number;
    /** Time constant of the claim-rate average. */
    readonly windowMs: number;
    /** Replenish time assumed until the first create is measured. */
    readonly initialCreateMs: number;
    /**
     * 'predictive': also warm ahead of the demand learned per weekday and time of day
     * (PredictiveSizer); 'adaptive' (the default here): the reactive EWMA only.
     */
    readonly sizer?: 'adaptive' | 'predictive';
    /** Tuning of the predictive sizer (defaultPredictiveOptions when omitted). */
    readonly predictive?: Partial<PredictiveOptions>;
  };
  /**
   * Warm + starting containers all profiles together may hold: what the machine's memory
   * allows (config.ts derives it from a memory budget). Unset: only each profile's maximum.
   */
  readonly maxWarmTotal?: number;
  /** How often the learned claim history is saved through PoolCoreDeps.history (5 min). */
  readonly historySaveIntervalMs?: number;
  readonly timeouts: {
    readonly bindMs: number;
    readonly drainMs: number;
    readonly statusMs: number;
    /** How long a claim may wait for a container being created when the profile is full. */
    readonly waitMs: number;
  };
  readonly reapIntervalMs: number;
  /**
   * How often idle warm containers are health-checked in the background; a check younger
   * than twice this replaces the check on borrow (0 = check on every borrow instead).
   */
  readonly healthIntervalMs: number;
  /** Replacements for claimed containers wait at most this long for a burst of binds to end. */
  readonly replenishDeferMs: number;
  /**
   * How many replacements one profile's warm pool starts at once (0 or unset = all at once).
   * Cold starts are not bounded by it.
   */
  readonly replenishConcurrency?: number;
  readonly sizeIntervalMs: number;
  readonly createFailureBackoffMs: number;
  /** WatchState sends at most one update per this interval. */
  readonly watchIntervalMs: number;
}

export const defaultTimeouts: PoolCoreConfig['timeouts'] = {
  bindMs: 15_000,
  drainMs: 20_000,
  statusMs: 2_000,
  waitMs: 30_000,
};
