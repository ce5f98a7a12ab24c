// `npm run bench -- adaptive`: warm-pool sizers over five simulated trading days — the
// reactive adaptive sizer, the predictive one (learned daily shape + reactive), and fixed
// pools of 1–8. Each day comes after four days of history, which the predictive sizer's own
// ClaimHistory learns and the pool core loads through its history port, as after a restart.
// Pure simulation: the real pool core (warm pool included) on a virtual clock, with
// in-memory containers that take a realistic create time. Deterministic (seeded).
// WARMGATE_BENCH_PREDICTIVE='{"savedPerHour":10}' overrides PredictiveOptions (tuning).
import { loadavg } from 'node:os';
import { AuthMode } from '@warmgate/proto';
import { PoolCore, type PoolCoreConfig, type PredictiveOptions } from '@warmgate/pool-manager';
import {
  ClaimHistory,
  createMemoryHistoryStore,
  FakeAgents,
  FakeRuntime,
  ManualClock,
} from '@warmgate/pool-manager/testing';
import { printTable, writeResult } from './harness.js';

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;

/** A phase of a day: [name, duration, arrivals per minute]; a day starts at 00:00 UTC. */
type Phase = [string, number, number];

/** The trading day the single-day bench has always simulated (3,221 connects). */
const usual: Phase[] = [
  ['quiet night', 6 * hour, 0.2],
  ['pre-market', 1 * hour, 2],
  ['market open burst', 15 * minute, 40],
  ['steady day', 5 * hour, 6],
  ['close', 30 * minute, 15],
  ['evening', 2 * hour, 1],
];
/** Another exchange's hours: earlier, shorter open, longer day (history has these hours too). */
const otherExchange: Phase[] = [
  ['quiet night', 2.5 * hour, 0.2],
  ['pre-market', 30 * minute, 3],
  ['market open burst', 10 * minute, 50],
  ['steady day', 6 * hour, 5],
  ['close', 20 * minute, 20],
  ['evening', 5 * hour + 45 * minute, 1],
];
/** Closes three hours early; the rest of the usual day is evening-quiet. */
const halfDay: Phase[] = [
  ['quiet night', 6 * hour, 0.2],
  ['pre-market', 1 * hour, 2],
  ['market open burst', 15 * minute, 40],
  ['steady day', 2 * hour, 6],
  ['close', 30 * minute, 15],
  ['evening', 5 * hour, 1],
];
/** Market closed: a trickle of users all day where history expects the open. */
const holiday: Phase[] = [
  ['quiet night', 6 * hour, 0.2],
  ['holiday', 8 * hour + 45 * minute, 0.5],
];
/** The usual day with a burst at 10:00 UTC nobody scheduled (news). */
const spike: Phase[] = [
  ['quiet night', 6 * hour, 0.2],
  ['pre-market', 1 * hour, 2],
  ['market open burst', 15 * minute, 40],
  ['steady day', 2 * hour + 45 * minute, 6],
  ['afternoon spike', 10 * minute, 30],
  ['steady day', 2 * hour + 5 * minute, 6],
  ['close', 30 * minute, 15],
  ['evening', 2 * hour, 1],
];

interface Scenario {
  day: string;
  about: string;
  history: Phase[];
  today: Phase[];
}

const scenarios: Scenario[] = [
  { day: 'current', about: 'the usual trading day', history: usual, today: usual },
  {
    day: 'shifted open',
    about: "another exchange's hours (open 03:00 UTC), learned from its own history",
    history: otherExchange,
    today: otherExchange,
  },
  { day: 'half day', about: 'closes three hours early', history: usual, today: halfDay },
  { day: 'holiday', about: 'market closed, a trickle all day', history: usual, today: holiday },
  {
    day: 'afternoon spike',
    about: 'the usual day + 10 min at 30/min at 10:00 UTC',
    history: usual,
    today: spike,
  },
];

const createMs = 8 * second; // a pod start: scheduling, image, volume
const sessionMeanMs = 20 * minute;
const seed = 20260324;
const historyDays = 4;
/** The simulated day: Friday 2026-03-20 (UTC), after Monday–Thursday of history. */
const today = Date.UTC(2026, 2, 20);
const fixedSizes = [1, 2, 3, 4, 5, 6, 7, 8];
const predictiveOptions = JSON.parse(
  process.env.WARMGATE_BENCH_PREDICTIVE || '{}',
) as Partial<PredictiveOptions>;

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

type Sizer =
  | { kind: 'fixed'; minWarm: number }
  | { kind: 'adaptive' }
  | { kind: 'predictive'; options?: Partial<PredictiveOptions> };

/** Other settings of the predictive sizer, measured on every day beside the default. */
const variants: { name: string; options: Partial<PredictiveOptions> }[] = [
  { name: 'blend surplus', options: { blend: 'surplus' } },
  { name: 'saved/h 15', options: { savedPerHour: 15 } },
  { name: 'no quiet-day price', options: { quietDayBelow: 1e-9 } },
  { name: 'no evidence', options: { maxEvidenceScale: 1, evidenceWindowMs: 1 } },
];

interface DayResult {
  day: string;
  about: string;
  connects: number;
  adaptive: Outcome;
  predictive: Outcome;
  fixed: Outcome[];
  /** The hit rate of a fixed pool with the predictive pool's average idle count (interpolated). */
  fixed_at_predictive_idle: number;
  predictive_beats_fixed: boolean;
  variants: Outcome[];
}

export async function run(): Promise<void> {
  const days: DayResult[] = [];
  for (const [index, scenario] of scenarios.entries()) {
    const daySeed = seed + index * 1000;
    const arrivals = trace(scenario.today, daySeed);
    const history = learnedHistory(scenario.history, daySeed);
    const adaptive = await simulate('adaptive', arrivals, { kind: 'adaptive' });
    const predictive = await simulate('predictive', arrivals, { kind: 'predictive' }, history);
    const fixed: Outcome[] = [];
    for (const size of fixedSizes) {
      fixed.push(await simulate(`fixed ${size}`, arrivals, { kind: 'fixed', minWarm: size }));
    }
    const atSameIdle = fixedHitRateAt(fixed, predictive.avg_idle_containers);
    const variantRuns: Outcome[] = [];
    for (const variant of variants) {
      const options = { ...predictiveOptions, ...variant.options };
      variantRuns.push(
        await simulate(variant.name, arrivals, { kind: 'predictive', options }, history),
      );
    }
    days.push({
      day: scenario.day,
      about: scenario.about,
      connects: arrivals.length,
      adaptive,
      predictive,
      fixed,
      fixed_at_predictive_idle: round(atSameIdle, 3),
      predictive_beats_fixed: predictive.warm_hit_rate >= round(atSameIdle, 3),
      variants: variantRuns,
    });
    console.log(`simulated ${scenario.day} (${arrivals.length} connects)`);
  }
  const load = loadavg().map((v) => round(v, 2));
  printTable(
    `warm-hit rate / average idle containers per day (create ${createMs / 1000} s, sessions ~${sessionMeanMs / minute} min, ${historyDays} days of history; load average ${load.join(' ')})`,
    days.map((d) => ({
      day: d.day,
      connects: d.connects,
      adaptive: cell(d.adaptive),
      predictive: cell(d.predictive),
      'fixed @ same idle': percent(d.fixed_at_predictive_idle),
      ...Object.fromEntries(d.fixed.map((f) => [f.pool, cell(f)])),
    })),
  );
  printTable(
    'predictive sizer settings (hit rate / average idle; "vs fixed" = hit rate minus the fixed pools\' at the same idle)',
    days.map((d) => ({
      day: d.day,
      default: `${cell(d.predictive)} (${signed(d.predictive.warm_hit_rate - d.fixed_at_predictive_idle)})`,
      ...Object.fromEntries(
        d.variants.map((v) => [
          v.pool,
          `${cell(v)} (${signed(v.warm_hit_rate - fixedHitRateAt(d.fixed, v.avg_idle_containers))})`,
        ]),
      ),
    })),
  );
  const current = days[0]!;
  printTable(
    'warm-hit rate by phase, current day',
    Object.keys(current.predictive.warm_hit_rate_by_phase).map((phase) => ({
      phase,
      adaptive: percent(current.adaptive.warm_hit_rate_by_phase[phase] ?? 0),
      predictive: percent(current.predictive.warm_hit_rate_by_phase[phase] ?? 0),
    })),
  );
  const worst = days.reduce((w, d) =>
    d.predictive.warm_hit_rate < w.predictive.warm_hit_rate ? d : w,
  );
  const goals = {
    current_day_hit_rate_at_least_95: current.predictive.warm_hit_rate >= 0.95,
    current_day_idle_at_most_2: current.predictive.avg_idle_containers <= 2,
    every_day_beats_fixed_at_same_idle: days.every((d) => d.predictive_beats_fixed),
  };
  console.log(`\ngoals: ${JSON.stringify(goals)}`);
  // "The same average size" (the single-day report): the fixed pool nearest the adaptive one.
  const gap = (o: Outcome) =>
    Math.abs(o.avg_idle_containers - current.adaptive.avg_idle_containers);
  const nearest = current.fixed.reduce((best, o) => (gap(o) < gap(best) ? o : best));
  writeResult('adaptive', {
    predictive: {
      ...current.predictive,
      worst_day: worst.day,
      worst_day_warm_hit_rate: worst.predictive.warm_hit_rate,
    },
    adaptive: current.adaptive,
    fixed: nearest,
    fixed_sizes: current.fixed.map(row),
    days: days.map((d) => ({
      day: d.day,
      about: d.about,
      connects: d.connects,
      adaptive: row(d.adaptive),
      predictive: { ...row(d.predictive), by_phase: d.predictive.warm_hit_rate_by_phase },
      fixed: d.fixed.map(row),
      fixed_at_predictive_idle: d.fixed_at_predictive_idle,
      predictive_beats_fixed: d.predictive_beats_fixed,
      variants: d.variants.map((v) => ({
        ...row(v),
        fixed_at_same_idle: round(fixedHitRateAt(d.fixed, v.avg_idle_containers), 3),
      })),
    })),
    variant_options: variants,
    goals,
    predictive_options: predictiveOptions,
    load_average: load,
    trace: {
      create_ms: createMs,
      session_mean_ms: sessionMeanMs,
      seed,
      history_days: historyDays,
      days: scenarios.map((s) => ({
        day: s.day,
        history: phasesOf(s.history),
        today: phasesOf(s.today),
      })),
    },
  });
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;
const signed = (rate: number) => `${rate >= 0 ? '+' : ''}${(rate * 100).toFixed(1)}`;
const cell = (o: Outcome) => `${percent(o.warm_hit_rate)} / ${o.avg_idle_containers.toFixed(2)}`;
const row = (o: Outcome) => ({
  pool: o.pool,
  warm_hit_rate: o.warm_hit_rate,
  cold_starts: o.cold_starts,
  avg_idle_containers: o.avg_idle_containers,
  max_idle_containers: o.max_idle_containers,
});
const phasesOf = (phases: Phase[]) =>
  phases.map(([phase, ms, perMinute]) => ({ phase, ms, per_minute: perMinute }));

/**
 * Linear interpolation over the fixed pools' (average idle, hit rate) points, with an empty
 * pool (0 idle, 0 hits) below fixed 1; beyond fixed 8, fixed 8's rate.
 */
function fixedHitRateAt(fixed: Outcome[], idle: number): number {
  const points = [
    { idle: 0, rate: 0 },
    ...fixed.map((f) => ({ idle: f.avg_idle_containers, rate: f.warm_hit_rate })),
  ].sort((a, b) => a.idle - b.idle);
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1]!, points[i]!];
    if (idle <= b.idle) return a.rate + ((b.rate - a.rate) * (idle - a.idle)) / (b.idle - a.idle);
  }
  return points[points.length - 1]!.rate;
}

/** The previous days' claims, counted by the predictive sizer's own ClaimHistory. */
function learnedHistory(phases: Phase[], daySeed: number): unknown {
  const bucketMs = 5 * minute;
  const history = new ClaimHistory({ bucketMs, keepDays: 28 });
  for (let back = historyDays; back >= 1; back--) {
    for (const arrival of trace(phases, daySeed - back))
      history.record(today - back * day + arrival.at);
  }
  return {
    version: 1,
    bucketMs,
    savedAt: today,
    profiles: { standard: history.toRecord() },
  };
}

async function simulate(
  name: string,
  arrivals: Arrival[],
  sizer: Sizer,
  history?: unknown,
): Promise<Outcome> {
  // The pool fills before midnight, so arrival times are times of day.
  const clock = new ManualClock(today - createMs - second);
  const agents = new FakeAgents(clock);
  const runtime = new FakeRuntime(clock, agents, { createMs });
  const core = new PoolCore(config(sizer), {
    runtime,
    lifecycle: agents,
    clock,
    repositoryFor: (userId) => ({ url: `sim://${userId}` }),
    ...(history === undefined ? {} : { history: createMemoryHistoryStore(history) }),
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
    warm_hit_rate: round(tally.warm / tally.claims, 3),
    cold_starts: tally.cold,
    idle_container_seconds: Math.round(idleMs / 1000),
    avg_idle_containers: round(idleMs / 1000 / seconds, 2),
    max_idle_containers: maxIdle,
    warm_hit_rate_by_phase: Object.fromEntries(
      Object.entries(tally.byPhase).map(([p, t]) => [p, round(t.warm / t.claims, 3)]),
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

function config(sizer: Sizer): PoolCoreConfig {
  return {
    profiles: [
      { name: 'standard', minWarm: sizer.kind === 'fixed' ? sizer.minWarm : 1, maxTotal: 1000 },
    ],
    tiers: { pro: { profile: 'standard', idleTimeoutMs: 24 * hour } },
    publicIdleTimeoutMs: 24 * hour,
    adaptive: {
      enabled: sizer.kind !== 'fixed',
      sizer: sizer.kind === 'predictive' ? 'predictive' : 'adaptive',
      margin: 0.5,
      windowMs: 2 * minute,
      initialCreateMs: createMs,
      predictive: sizer.kind === 'predictive' ? { ...predictiveOptions, ...sizer.options } : {},
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

function trace(phases: Phase[], traceSeed: number): Arrival[] {
  const random = mulberry32(traceSeed);
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
