import { AdaptiveSizer } from './adaptive-sizer.js';
import type { Binding } from './binding.js';
import type { Clock } from './clock.js';
import type { PoolCoreConfig, ProfileConfig } from './core-config.js';
import type { LifecyclePort } from './lifecycle-port.js';
import type { PoolMetrics } from './metrics.js';
import type { ProfileStateView } from './pool-state.js';
import type { Runtime } from './runtime-port.js';
import { defaultPredictiveOptions, PredictiveSizer } from './predictive-sizer.js';
import type { TargetDecision, WarmSizer } from './warm-sizer.js';
import { WarmPool } from './warm-pool.js';

/** One profile's moving parts: its warm pool, its sizer, and what is outside the pool. */
export interface ProfileSlot {
  readonly config: ProfileConfig;
  readonly pool: WarmPool;
  readonly sizer: WarmSizer;
  /** Set with the predictive sizer: its learned history is saved and restored. */
  readonly predictive: PredictiveSizer | undefined;
  /** The last sizing decision (before the machine-wide memory cap). */
  decision: TargetDecision;
  /** Containers being created outside the pool for a cold start. */
  coldStarting: number;
  /** Cold-started containers being claimed and bound. */
  claiming: number;
}

export interface SlotDeps {
  readonly config: PoolCoreConfig;
  readonly runtime: Runtime;
  readonly lifecycle: LifecyclePort;
  readonly clock: Clock;
  readonly metrics: PoolMetrics;
  readonly log: (message: string) => void;
  /** Bindings of this profile (bound or draining). */
  readonly boundCount: (profile: string) => number;
}

export function createProfileSlot(profile: ProfileConfig, deps: SlotDeps): ProfileSlot {
  const { adaptive, timeouts } = deps.config;
  const sizing = {
    enabled: adaptive.enabled,
    minWarm: profile.minWarm,
    maxWarm: profile.maxTotal,
    margin: adaptive.margin,
    windowMs: adaptive.windowMs,
    initialCreateMs: adaptive.initialCreateMs,
  };
  const predictive =
    adaptive.enabled && adaptive.sizer === 'predictive'
      ? new PredictiveSizer(sizing, { ...defaultPredictiveOptions, ...adaptive.predictive })
      : undefined;
  const sizer: WarmSizer = predictive ?? new AdaptiveSizer(sizing);
  const slot: ProfileSlot = {
    config: profile,
    sizer,
    predictive,
    decision: { history: 0, recent: profile.minWarm, total: profile.minWarm },
    coldStarting: 0,
    claiming: 0,
    pool: new WarmPool({
      profile: { name: profile.name, template: profile.template, agent: profile.agent },
      runtime: deps.runtime,
      lifecycle: deps.lifecycle,
      clock: deps.clock,
      minWarm: profile.minWarm,
      maxTotal: profile.maxTotal,
      statusTimeoutMs: timeouts.statusMs,
      healthFreshMs: 2 * deps.config.healthIntervalMs,
      replenishDeferMs: deps.config.replenishDeferMs,
      replenishConcurrency: deps.config.replenishConcurrency ?? 0,
      waitTimeoutMs: timeouts.waitMs,
      createFailureBackoffMs: deps.config.createFailureBackoffMs,
      outside: () => deps.boundCount(profile.name) + slot.claiming + slot.coldStarting,
      onCreated: (ms) => sizer.recordCreate(ms),
      onEvicted: (reason) => deps.metrics.reaped(profile.name, reason),
      log: deps.log,
    }),
  };
  return slot;
}

/** The slot's numbers for GetStatus, WatchState and the metrics. */
export function profileState(
  slot: ProfileSlot,
  bindings: Iterable<Binding>,
  now: number,
): ProfileStateView {
  const counts = slot.pool.counts();
  const mine = [...bindings].filter((b) => b.profile === slot.config.name);
  return {
    profile: slot.config.name,
    warm: counts.warm,
    starting: counts.starting + slot.coldStarting,
    bound: mine.filter((b) => b.state === 'bound').length + slot.claiming + counts.lent,
    draining: mine.filter((b) => b.state === 'draining').length,
    targetWarm: slot.pool.target,
    targetWarmHistory: slot.decision.history,
    targetWarmRecent: slot.decision.recent,
    minWarm: slot.config.minWarm,
    maxTotal: slot.config.maxTotal,
    claimRatePerMinute: slot.sizer.claimRatePerMinute(now),
  };
}
