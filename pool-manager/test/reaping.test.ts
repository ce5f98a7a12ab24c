// Reaping by tier with real agents: an idle binding is drained (saved) and destroyed after
// its tier's timeout, a paid tier's binding stays, a touched one stays, public sessions
// expire on their own clock, and the next connect restores everything that was saved.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthMode, poolv1 } from '@warmgate/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPoolManager } from '../src/index.js';
import {
  callTool,
  containerDirs,
  startTestPool,
  stopTestPool,
  storedFile,
  waitFor,
  workspaceOf,
  type PoolClient,
  type Sandbox,
} from './support.js';

let sandbox: Sandbox;
let pool: RunningPoolManager;
let client: PoolClient;

beforeAll(async () => {
  ({ sandbox, pool, client } = await startTestPool({
    WARMGATE_POOL_PROFILES: 'standard:min=2:max=10',
    WARMGATE_POOL_TIERS: 'free=standard:2s,pro=standard:60m',
    WARMGATE_POOL_PUBLIC_IDLE_TIMEOUT: '2s',
    WARMGATE_POOL_REAP_INTERVAL: '250ms',
    WARMGATE_POOL_ADAPTIVE: 'false',
  }));
});

afterAll(() => stopTestPool({ sandbox, pool, client }));

const acquire = (userId: string, tier: string, mode = AuthMode.GATEWAY) =>
  client.acquire({ userId, tier, mode });
const bindingOf = async (userId: string) => (await client.getStatus({ userId })).binding;

describe('idle reaping by tier (real agents)', () => {
  it('drains and destroys an idle free binding, keeps pro, restores all on reconnect', async () => {
    const free = (await acquire('fiona', 'free')).binding!;
    const pro = (await acquire('pete', 'pro')).binding!;
    await callTool(free, 'system_prompt_set', { text: 'Answer in one sentence.' });
    // A file a tool wrote straight into the workspace, not yet committed: drain must save it.
    writeFileSync(join(workspaceOf(sandbox, free.containerId), 'scratch.md'), 'unsaved note\n');

    await waitFor('the free binding to be reaped', async () => !(await bindingOf('fiona')), 15_000);
    expect(containerDirs(sandbox.stateDir)).not.toContain(free.containerId);
    expect(storedFile(sandbox.storeDir, 'fiona', 'system-prompt.md')).toBe(
      'Answer in one sentence.\n',
    );
    expect(storedFile(sandbox.storeDir, 'fiona', 'scratch.md')).toBe('unsaved note\n');
    expect((await bindingOf('pete'))?.bindingId).toBe(pro.bindingId);

    const again = await acquire('fiona', 'free');
    expect(again.source).toBe(poolv1.AcquireSource.WARM);
    const next = again.binding!;
    expect(next.bindingId).not.toBe(free.bindingId);
    expect(await callTool(next, 'system_prompt_get', {})).toMatchObject({
      text: 'Answer in one sentence.\n',
    });
    const restored = readFileSync(
      join(workspaceOf(sandbox, next.containerId), 'scratch.md'),
      'utf8',
    );
    expect(restored).toBe('unsaved note\n');
  });

  it('gateway touches keep a free binding alive past its timeout', async () => {
    const binding = (await acquire('tom', 'free')).binding!;
    for (let i = 0; i < 8; i++) {
      const { bound } = await client.touch({ userId: 'tom', bindingId: binding.bindingId });
      expect(bound).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect((await bindingOf('tom'))?.bindingId).toBe(binding.bindingId);
  });

  it('public sessions expire after their own timeout, whatever the tier', async () => {
    const binding = (await acquire('anon-42', 'pro', AuthMode.PUBLIC)).binding!;
    await waitFor(
      'the public session to expire',
      async () => !(await bindingOf('anon-42')),
      15_000,
    );
    expect(containerDirs(sandbox.stateDir)).not.toContain(binding.containerId);
    const touched = await client.touch({ userId: 'anon-42', bindingId: binding.bindingId });
    expect(touched.bound).toBe(false);
  });
});
