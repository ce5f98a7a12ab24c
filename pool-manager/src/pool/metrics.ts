// The pool's metrics, through @opentelemetry/api only (the SDK and exporter start in main.ts).
// Every label is a bounded enum or a profile name from configuration.
import type { Meter } from '@opentelemetry/api';
import type { PoolStateView } from './pool-state.js';

export type ClaimSource = 'warm' | 'cold' | 'existing';
export type ColdStartReason = 'pool_empty' | 'profile_at_capacity' | 'warm_unhealthy';
export type BindOutcome = 'ok' | 'error';
export type ReapReason =
  | 'idle'
  | 'released'
  | 'unhealthy'
  | 'stale'
  | 'shutdown'
  | 'shrink'
  | 'bind_failed'
  | 'orphan'
  | 'died';

export interface PoolMetrics {
  claim(profile: string, source: ClaimSource, durationMs: number): void;
  coldStart(profile: string, reason: ColdStartReason): void;
  bind(profile: string, outcome: BindOutcome, durationMs: number): void;
  reaped(profile: string, reason: ReapReason): void;
}

export const noopMetrics: PoolMetrics = {
  claim: () => {},
  coldStart: () => {},
  bind: () => {},
  reaped: () => {},
};

const latencyBuckets = [1, 2, 5, 10, 20, 30, 50, 75, 100, 200, 500, 1000, 2000, 5000, 10000];

export function createPoolMetrics(meter: Meter, snapshot: () => PoolStateView): PoolMetrics {
  const claimLatency = meter.createHistogram('warmgate_pool_claim_duration', {
    description: 'Acquire latency in the pool manager, by how it was served',
    unit: 'ms',
    advice: { explicitBucketBoundaries: latencyBuckets },
  });
  const bindLatency = meter.createHistogram('warmgate_pool_bind_duration', {
    description: 'Sidecar Bind latency (restore of the user repository)',
    unit: 'ms',
    advice: { explicitBucketBoundaries: latencyBuckets },
  });
  const coldStarts = meter.createCounter('warmgate_pool_cold_starts', {
    description: 'Acquires that had to create a container, by reason',
  });
  const reaped = meter.createCounter('warmgate_pool_reaped_containers', {
    description: 'Containers destroyed by the pool manager, by reason',
  });
  const containers = meter.createObservableGauge('warmgate_pool_containers', {
    description: 'Containers by state and profile',
  });
  const target = meter.createObservableGauge('warmgate_pool_target_warm', {
    description:
      'Warm containers the sizer wants, by profile and source: the part from the learned history, the part from the recent claim rate, and the target in force (total)',
  });
  containers.addCallback((result) => {
    for (const p of snapshot().profiles) {
      result.observe(p.warm, { profile: p.profile, state: 'warm' });
      result.observe(p.starting, { profile: p.profile, state: 'starting' });
      result.observe(p.bound, { profile: p.profile, state: 'bound' });
      result.observe(p.draining, { profile: p.profile, state: 'draining' });
    }
  });
  target.addCallback((result) => {
    for (const p of snapshot().profiles) {
      result.observe(p.targetWarmHistory, { profile: p.profile, source: 'history' });
      result.observe(p.targetWarmRecent, { profile: p.profile, source: 'recent' });
      result.observe(p.targetWarm, { profile: p.profile, source: 'total' });
    }
  });
  return {
    claim: (profile, source, ms) => claimLatency.record(ms, { profile, source }),
    coldStart: (profile, reason) => coldStarts.add(1, { profile, reason }),
    bind: (profile, outcome, ms) => bindLatency.record(ms, { profile, outcome }),
    reaped: (profile, reason) => reaped.add(1, { profile, reason }),
  };
}
