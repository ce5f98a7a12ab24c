// The predictive sizer inside the pool core: its history survives a restart through the
// history port, a bad history is a warning and a fresh start, and the decision is reported.
import { AuthMode } from '@warmgate/proto';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeAgents, FakeRuntime } from '../testing/index.js';
import { dayMs } from './claim-history.js';
import type { PoolCoreConfig } from './core-config.js';
import { createMemoryHistoryStore, type HistoryStore } from './history-port.js';
import { ManualClock } from './manual-clock.js';
import { PoolCore } from './pool-core.js';

const minute = 60_000;
const hour = 60 * minute;
const monday = Date.UTC(2026, 2, 16);

function config(overrides: Partial<PoolCoreConfig> = {}): PoolCoreConfig {
  return {
    profiles: [{ name: 'standard', minWarm: 1, maxTotal: 30 }],
    tiers: { pro: { profile: 'standard', idleTimeoutMs: 24 * hour } },
    publicIdleTimeoutMs: 10 * minute,
    adaptive: {
      enabled: true,
      sizer: 'predictive',
      margin: 0.5,
      windowMs: 2 * minute,
      initialCreateMs: 8000,
    },
    timeouts: { bindMs: 5000, drainMs: 5000, statusMs: 1000, waitMs: 30_000 },
    reapIntervalMs: hour,
    healthIntervalMs: 0,
    replenishDeferMs: 0,
    sizeIntervalMs: 5000,
    createFailureBackoffMs: 1000,
    watchIntervalMs: 250,
    historySaveIntervalMs: 5 * minute,
    ...overrides,
  };
}

let cores: PoolCore[] = [];
afterEach(() => {
  for (const core of cores) core.close();
  cores = [];
});

async function start(at: number, history: HistoryStore, overrides: Partial<PoolCoreConfig> = {}) {
  const clock = new ManualClock(at);
  const agents = new FakeAgents(clock);
  const runtime = new FakeRuntime(clock, agents, { createMs: 8000 });
  const log: string[] = [];
  const core = new PoolCore(config(overrides), {
    runtime,
    lifecycle: agents,
    clock,
    history,
    log: (message) => log.push(message),
    repositoryFor: (userId) => ({ url: `fake://${userId}` }),
  });
  cores.push(core);
  await core.start();
  await clock.advance(10_000);
  return { core, clock, log };
}

/** 30 claims a minute for 10 minutes from 07:00 of `day`, each released after 30 s. */
async function openBurst(core: PoolCore, clock: ManualClock, day: number) {
  await clock.advance(day + 7 * hour - clock.now());
  for (let i = 0; i < 300; i++) {
    const userId = `u${day}-${i}`;
    void core
      .acquire({ userId, tier: 'pro', mode: AuthMode.GATEWAY })
      .then(async () => {
        await new Promise<void>((resolve) => clock.schedule(30_000, resolve));
        await core.release(userId);
      })
      .catch(() => {}); // a claim that finds the profile full is not what this test is about
    await clock.advance(2000);
  }
}

describe('predictive sizing in the pool core', () => {
  it('learns the open, saves it, and after a restart warms for it before any claim', async () => {
    const history = createMemoryHistoryStore();
    const first = await start(monday - dayMs + 6 * hour, history);
    await openBurst(first.core, first.clock, monday - dayMs);
    const stopped = first.core.shutdown(1000);
    await first.clock.advance(20_000); // drains, then creates in flight finish and go
    await stopped;
    expect(history.saved?.profiles.standard).toBeDefined();

    // A new process on Monday: nothing claimed yet today, the open still ahead.
    const second = await start(monday + 6 * hour, history);
    expect(second.log.filter((m) => m.includes('claim history'))).toEqual([]);
    await second.clock.advance(monday + 7 * hour - 10_000 - second.clock.now());
    const state = second.core.state().profiles[0]!;
    // 30/min × 8 s = 4 claims expected during one replenish: 9 are each worth 25 saves/h.
    expect(state.targetWarmHistory).toBeGreaterThanOrEqual(8);
    expect(state.targetWarmRecent).toBe(1);
    expect(state.targetWarm).toBe(state.targetWarmHistory);
    await second.clock.advance(9000);
    expect(second.core.state().profiles[0]!.warm).toBeGreaterThanOrEqual(8);
  }, 30_000);

  it('saves the history periodically, not only at shutdown', async () => {
    const history = createMemoryHistoryStore();
    const { core, clock } = await start(monday, history);
    await core.acquire({ userId: 'ann', tier: 'pro', mode: AuthMode.GATEWAY });
    expect(history.saved).toBeUndefined();
    await clock.advance(5 * minute);
    const counts = Object.values(history.saved!.profiles.standard!.days)[0]!;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it.each([
    ['not an object', 'nonsense', /not a JSON object/],
    ['another version', { version: 7 }, /unknown version 7/],
    ['another bucket size', { version: 1, bucketMs: 60_000, profiles: {} }, /60000 ms buckets/],
    [
      'bad counts',
      { version: 1, bucketMs: 300_000, profiles: { standard: { days: { 1: [-1] } } } },
      /profile standard ignored.*288 non-negative counts/,
    ],
  ])('a history that is %s is a warning and a fresh start', async (_what, saved, warning) => {
    const { core, log } = await start(monday, createMemoryHistoryStore(saved));
    expect(log.some((m) => warning.test(m))).toBe(true);
    expect(core.state().profiles[0]).toMatchObject({ targetWarm: 1, targetWarmHistory: 0 });
  });

  it('a store that fails to load or save is a warning, never a crash', async () => {
    const broken: HistoryStore = {
      load: () => Promise.reject(new Error('disk on fire')),
      save: () => Promise.reject(new Error('still on fire')),
    };
    const { core, clock, log } = await start(monday, broken);
    await core.acquire({ userId: 'ann', tier: 'pro', mode: AuthMode.GATEWAY });
    await clock.advance(5 * minute);
    expect(log).toContain('claim history ignored (starting fresh): disk on fire');
    expect(log).toContain('claim history: could not save: still on fire');
  });

  it('never warms more than the machine holds, over all profiles', async () => {
    const { core } = await start(monday, createMemoryHistoryStore(), {
      profiles: [
        { name: 'standard', minWarm: 4, maxTotal: 30 },
        { name: 'large', minWarm: 3, maxTotal: 30 },
      ],
      tiers: { pro: { profile: 'standard', idleTimeoutMs: hour } },
      maxWarmTotal: 5,
    });
    const targets = core.state().profiles.map((p) => p.targetWarm);
    expect(targets).toEqual([2, 3]); // from the larger first; on a tie, the earlier gives
    const held = core.state().profiles.reduce((sum, p) => sum + p.warm + p.starting, 0);
    expect(held).toBeLessThanOrEqual(5);
  });
});
