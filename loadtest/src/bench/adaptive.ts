// `npm run bench -- adaptive`: the adaptive warm-pool sizer against a fixed-size pool of the
// same average size, over one bursty trading day. Pure simulation: the real pool core
// (generic-pool included) on a virtual clock, with in-memory containers that take a
// realistic create time. No processes, no sockets, deterministic (seeded).
import { AuthMode } from '@warmgate/proto';
import { PoolCore, type PoolCoreConfig } from '@warmgate/pool-manager';
import { FakeAgents, FakeRuntime, ManualClock } from '@warmgate/pool-manager/testing';
import { printTable, writeResult } from './harness.js';

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;

/** Phases of the day: [name, duration, arrivals per minute]. */
const phases: [string, number, number][] = [
  ['quiet night', 6 * hour, 0.2],
  ['pre-market', 1 * hour, 2],
  ['market open burst', 15 * minute, 40],
  ['steady day', 5 * hour, 6],
  ['close', 30 * minute, 15],
  ['evening', 2 * hour, 1],
];
const createMs = 8 * second; // a pod start: scheduling, image, volume
const sessionMeanMs = 20 * minute;
const seed = 20260324;

interface Outcome {
  pool: string;
  claims: number;
  warm_hits: number;
  warm_hit_rate: number;
  cold_starts: number;
  idle_container_seconds: number;
  avg_idle_containers: number;
  max_idle_containers: number;
  warm_hit_rate_by_phase: Record<string, number>;
}

export async function run(): Promise<void> {
  const arrivals = trace();
  const adaptive = await simulate('adaptive', arrivals, { enabled: true, minWarm: 1 });
  const fixedRuns: Outcome[] = [];
  for (let size = 1; size <= 8; size++) {
    fixedRuns.push(await simulate(`fixed ${size}`, arrivals, { enabled: false, minWarm: size }));
  }
  // "The same average size": the fixed pool whose time-averaged idle count is nearest.
  const gap = (o: Outcome) => Math.abs(o.avg_idle_containers - adaptive.avg_idle_containers);
  const fixed = fixedRuns.reduce((best, o) => (gap(o) < gap(best) ? o : best));
  const row = (o: Outcome) => ({
    pool: o.pool,
    warm_hit_rate: percent(o.warm_hit_rate),
    cold_starts: o.cold_starts,
    idle_container_s: o.idle_container_seconds,
    avg_idle: o.avg_idle_containers,
    max_idle: o.max_idle_containers,
  });
  printTable(
    `one trading day: ${arrivals.length} connects, create ${createMs / 1000} s, sessions ~${sessionMeanMs / minute} min`,
    [adaptive, ...fixedRuns].map(row),
  );
  printTable(
    `warm-hit rate by phase: adaptive vs ${fixed.pool} (nearest average size)`,
    phases.map(([phase, ms, perMinute]) => ({
      phase,
      minutes: ms / minute,
      per_minute: perMinute,
      adaptive: percent(adaptive.warm_hit_rate_by_phase[phase] ?? 0),
      [fixed.pool]: percent(fixed.warm_hit_rate_by_phase[phase] ?? 0),
    })),
  );
  writeResult('adaptive', {
    adaptive,
    fixed,
    fixed_sizes: fixedRuns.map(row),
    trace: {
      phases: phases.map(([phase, ms, perMinute]) => ({ phase, ms, per_minute: perMinute })),
      connects: arrivals.length,
      create_ms: createMs,
      session_mean_ms: sessionMeanMs,
      seed,
    },
  });
}

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

async function simulate(
  name: string,
  arrivals: Arrival[],
  pool: { enabled: boolean; minWarm: number },
): Promise<Outcome> {
  const clock = new ManualClock(0);
  const agents = new FakeAgents(clock);
  const runtime = new FakeRuntime(clock, agents, { createMs });
  const core = new PoolCore(config(pool), {
    runtime,
    lifecycle: agents,
    clock,
    repositoryFor: (userId) => ({ url: `sim://${userId}` }),
  });
  await core.start();
  await clock.advance(createMs + second);
  let idleMs = 0;
  let maxIdle = 0;
  let last = clock.now();
  const sample = () => {
    const p = core.state().profiles[0]!;
    const idle = p.warm + p.starting;
    idleMs += idle * (clock.now() - last);
    maxIdle = Math.max(maxIdle, idle);
    last = clock.now();
  };
  const start = clock.now();
  const tally = {
    claims: 0,
    warm: 0,
    cold: 0,
    byPhase: {} as Record<string, { claims: number; warm: number }>,
  };
  const sessions: Promise<unknown>[] = [];
  for (const [index, arrival] of arrivals.entries()) {
    await stepTo(clock, start + arrival.at, sample);
    const userId = `u${index}`;
    sessions.push(
      core.acquire({ userId, tier: 'pro', mode: AuthMode.GATEWAY }).then(async (result) => {
        tally.claims++;
        const phase = (tally.byPhase[arrival.phase] ??= { claims: 0, warm: 0 });
        phase.claims++;
        if (result.source === 'warm') phase.warm++;
        if (result.source === 'warm') tally.warm++;
        else tally.cold++;
        await new Promise<void>((resolve) => clock.schedule(arrival.sessionMs, resolve));
        await core.release(userId);
      }),
    );
  }
  await stepTo(clock, clock.now() + 2 * hour, sample);
  await Promise.all(sessions);
  core.close();
  const seconds = (clock.now() - start) / 1000;
  return {
    pool: name,
    claims: tally.claims,
    warm_hits: tally.warm,
    warm_hit_rate: Math.round((tally.warm / tally.claims) * 1000) / 1000,
    cold_starts: tally.cold,
    idle_container_seconds: Math.round(idleMs / 1000),
    avg_idle_containers: Math.round((idleMs / 1000 / seconds) * 100) / 100,
    max_idle_containers: maxIdle,
    warm_hit_rate_by_phase: Object.fromEntries(
      Object.entries(tally.byPhase).map(([p, t]) => [
        p,
        Math.round((t.warm / t.claims) * 1000) / 1000,
      ]),
    ),
  };
}

/** Advances the virtual clock to `at` in steps of at most 5 s, sampling the pool each step. */
async function stepTo(clock: ManualClock, at: number, sample: () => void): Promise<void> {
  while (clock.now() < at) {
    await clock.advance(Math.min(5 * second, at - clock.now()));
    sample();
  }
}

function config(pool: { enabled: boolean; minWarm: number }): PoolCoreConfig {
  return {
    profiles: [{ name: 'standard', minWarm: pool.minWarm, maxTotal: 1000 }],
    tiers: { pro: { profile: 'standard', idleTimeoutMs: 24 * hour } },
    publicIdleTimeoutMs: 24 * hour,
    adaptive: {
      enabled: pool.enabled,
      margin: 0.5,
      windowMs: 2 * minute,
      initialCreateMs: createMs,
    },
    timeouts: { bindMs: 10 * second, drainMs: 10 * second, statusMs: second, waitMs: minute },
    reapIntervalMs: 10 * minute,
    healthIntervalMs: 0,
    replenishDeferMs: 500,
    sizeIntervalMs: 5 * second,
    createFailureBackoffMs: second,
    watchIntervalMs: second,
  };
}

/** Poisson arrivals per phase, exponential session lengths; seeded, so every run is the same. */
interface Arrival {
  at: number;
  sessionMs: number;
  phase: string;
}

function trace(): Arrival[] {
  const random = mulberry32(seed);
  const exponential = (mean: number) => -Math.log(1 - random()) * mean;
  const arrivals: Arrival[] = [];
  let phaseStart = 0;
  for (const [phase, duration, perMinute] of phases) {
    let t = phaseStart + exponential(minute / perMinute);
    while (t < phaseStart + duration) {
      arrivals.push({
        at: Math.round(t),
        sessionMs: Math.round(exponential(sessionMeanMs)),
        phase,
      });
      t += exponential(minute / perMinute);
    }
    phaseStart += duration;
  }
  return arrivals;
}

function mulberry32(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
