import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthMode } from '@warmgate/proto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PoolCoreConfig } from '../pool/core-config.js';
import type { HistorySnapshot } from '../pool/history-port.js';
import { ManualClock } from '../pool/manual-clock.js';
import { PoolCore } from '../pool/pool-core.js';
import { FakeAgents, FakeRuntime } from '../testing/index.js';
import { createFileHistoryStore, historyFileName } from './file-history-store.js';

const minute = 60_000;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warmgate-history-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const snapshot: HistorySnapshot = {
  version: 1,
  bucketMs: 300_000,
  savedAt: 1,
  profiles: { standard: { days: { 20530: new Array<number>(288).fill(2) } } },
};

const config: PoolCoreConfig = {
  profiles: [{ name: 'standard', minWarm: 1, maxTotal: 5 }],
  tiers: { pro: { profile: 'standard', idleTimeoutMs: 60 * minute } },
  publicIdleTimeoutMs: 10 * minute,
  adaptive: {
    enabled: true,
    sizer: 'predictive',
    margin: 0.5,
    windowMs: minute,
    initialCreateMs: 1000,
  },
  timeouts: { bindMs: 5000, drainMs: 5000, statusMs: 1000, waitMs: 30_000 },
  reapIntervalMs: 10_000,
  healthIntervalMs: 0,
  replenishDeferMs: 0,
  sizeIntervalMs: 1000,
  createFailureBackoffMs: 1000,
  watchIntervalMs: 250,
};

async function coreOver(stateDir: string) {
  const clock = new ManualClock(Date.UTC(2026, 2, 16, 9));
  const agents = new FakeAgents(clock);
  const log: string[] = [];
  const core = new PoolCore(config, {
    runtime: new FakeRuntime(clock, agents, { createMs: 1000 }),
    lifecycle: agents,
    clock,
    history: createFileHistoryStore(stateDir),
    log: (message) => log.push(message),
    repositoryFor: (userId) => ({ url: `fake://${userId}` }),
  });
  await core.start();
  await clock.advance(1500);
  return { core, clock, log };
}

describe('the claim history file', () => {
  it('round-trips and leaves no temporary file behind', async () => {
    const store = createFileHistoryStore(dir);
    expect(await store.load()).toBeUndefined();
    await store.save(snapshot);
    await store.save({ ...snapshot, savedAt: 2 });
    expect(await store.load()).toEqual({ ...snapshot, savedAt: 2 });
    expect(readdirSync(dir)).toEqual([historyFileName]);
  });

  it('a corrupt file is a warning and a fresh start, then a good save replaces it', async () => {
    writeFileSync(join(dir, historyFileName), '{"version": 1, "bucketMs": 3');
    const { core, clock, log } = await coreOver(dir);
    expect(log).toContain(
      `claim history ignored (starting fresh): ${join(dir, historyFileName)} is not valid JSON`,
    );
    await core.acquire({ userId: 'ann', tier: 'pro', mode: AuthMode.GATEWAY });
    const stopped = core.shutdown(1000);
    await clock.advance(10_000);
    await stopped;
    const saved = (await createFileHistoryStore(dir).load()) as HistorySnapshot;
    const counts = Object.values(saved.profiles.standard!.days)[0]!;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('a save into a state directory that is gone fails, without recreating it', async () => {
    const gone = join(dir, 'gone');
    await expect(createFileHistoryStore(gone).save(snapshot)).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
