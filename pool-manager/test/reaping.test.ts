// Reaping by tier with real agents: an idle binding is drained (saved) and destroyed after
// its tier's timeout, a paid tier's binding stays, a touched one stays, public sessions
// expire on their own clock, and the next connect restores everything that was saved.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthMode, poolv1 } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import {
  callTool,
  containerDirs,
  useTestPool,
  storedFile,
  waitFor,
  workspaceOf,
} from './support.js';

const pm = useTestPool({
  WARMGATE_POOL_PROFILES: 'standard:min=2:max=10',
  WARMGATE_POOL_TIERS: 'free=standard:2s,pro=standard:60m',
  WARMGATE_POOL_PUBLIC_IDLE_TIMEOUT: '2s',
  WARMGATE_POOL_REAP_INTERVAL: '250ms',
  WARMGATE_POOL_ADAPTIVE: 'false',
});

const acquire = (userId: string, tier: string, mode = AuthMode.GATEWAY) =>
  pm.client.acquire({ userId, tier, mode });
const bindingOf = async (userId: string) => (await pm.client.getStatus({ userId })).binding;

describe('idle reaping by tier (real agents)', () => {
  it('drains and destroys an idle free binding, keeps pro, restores all on reconnect', async () => {
    const free = (await acquire('fiona', 'free')).binding!;
    const pro = (await acquire('pete', 'pro')).binding!;
    await callTool(free, 'system_prompt_set', { text: 'Answer in one sentence.' });
    // A file a tool wrote straight into the workspace, not yet committed: drain must save it.
    writeFileSync(join(workspaceOf(pm.sandbox, free.containerId), 'scratch.md'), 'unsaved note\n');

    await waitFor('the free binding to be reaped', async () => !(await bindingOf('fiona')), 15_000);
    expect(containerDirs(pm.sandbox.stateDir)).not.toContain(free.containerId);
    expect(storedFile(pm.sandbox.storeDir, 'fiona', 'system-prompt.md')).toBe(
      'Answer in one sentence.\n',
    );
    expect(storedFile(pm.sandbox.storeDir, 'fiona', 'scratch.md')).toBe('unsaved note\n');
    expect((await bindingOf('pete'))?.bindingId).toBe(pro.bindingId);

    const again = await acquire('fiona', 'free');
    expect(again.source).toBe(poolv1.AcquireSource.WARM);
    const next = again.binding!;
    expect(next.bindingId).not.toBe(free.bindingId);
    expect(await callTool(next, 'system_prompt_get', {})).toMatchObject({
      text: 'Answer in one sentence.\n',
    });
    const restored = readFileSync(
      join(workspaceOf(pm.sandbox, next.containerId), 'scratch.md'),
      'utf8',
    );
    expect(restored).toBe('unsaved note\n');
  });

  it('gateway touches keep a free binding alive past its timeout', async () => {
    const binding = (await acquire('tom', 'free')).binding!;
    for (let i = 0; i < 8; i++) {
      const { bound } = await pm.client.touch({ userId: 'tom', bindingId: binding.bindingId });
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
    expect(containerDirs(pm.sandbox.stateDir)).not.toContain(binding.containerId);
    const touched = await pm.client.touch({ userId: 'anon-42', bindingId: binding.bindingId });
    expect(touched.bound).toBe(false);
  });
});
