// A warm container that dies on its own is replaced at once, not when a claim borrows it: the
// local runtime hears its process exit (the child's exit event) and the pool core destroys
// the dead container and starts its replacement, with no claim at all. Real agent processes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthMode, poolv1 } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import { callTool, containerDirs, useTestPool, waitFor, warmCount } from './support.js';

const pm = useTestPool(
  {
    WARMGATE_POOL_PROFILES: 'standard:min=2:max=4',
    WARMGATE_POOL_ADAPTIVE: 'false',
    // No background probe to find it: only the exit event can.
    WARMGATE_POOL_HEALTH_INTERVAL: '0',
  },
  { noContainerDirs: true },
);

const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('a warm container that dies (local runtime)', () => {
  it('is destroyed and replaced without any claim; claims then get live containers', async () => {
    const { sandbox, client } = pm;
    const before = containerDirs(sandbox.stateDir);
    expect(before).toHaveLength(2);
    const [dead] = before;
    const agentPid = Number(readFileSync(join(sandbox.stateDir, dead!, 'agent.pid'), 'utf8'));
    const sidecarPid = Number(readFileSync(join(sandbox.stateDir, dead!, 'sidecar.pid'), 'utf8'));
    process.kill(agentPid, 'SIGKILL');

    await waitFor(
      'the dead container destroyed',
      async () => !containerDirs(sandbox.stateDir).includes(dead!),
      20_000,
    );
    // Its other process went with it: nothing leaked.
    expect(processAlive(sidecarPid)).toBe(false);
    await waitFor('the pool back to 2 warm', async () => (await warmCount(client)) === 2, 30_000);
    const { state } = await client.getStatus({});
    expect(state?.profiles[0]).toMatchObject({ warm: 2, bound: 0 });
    expect(containerDirs(sandbox.stateDir)).toHaveLength(2);

    for (const userId of ['ivy', 'jon']) {
      const claimed = await client.acquire({ userId, tier: 'pro', mode: AuthMode.GATEWAY });
      expect(claimed.source).toBe(poolv1.AcquireSource.WARM);
      expect(claimed.binding!.containerId).not.toBe(dead);
      expect(await callTool(claimed.binding!, 'system_prompt_get', {})).toBeDefined();
    }
  }, 90_000);
});
