// SIGTERM to the pool manager process: every bound container is drained (saved to the store)
// before it exits, and nothing is left running.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthMode } from '@warmgate/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callTool,
  containerDirs,
  containerPids,
  makeSandbox,
  poolClient,
  spawnPoolManager,
  storedFile,
  waitFor,
  warmCount,
  workspaceOf,
  type PoolManagerProcess,
  type Sandbox,
} from './support.js';

let sandbox: Sandbox;
let pm: PoolManagerProcess | undefined;

beforeAll(() => {
  sandbox = makeSandbox({ WARMGATE_POOL_PROFILES: 'standard:min=2:max=8' });
});

afterAll(() => {
  pm?.child.kill('SIGKILL');
  sandbox.cleanup();
});

describe('SIGTERM drain', () => {
  it('saves every binding to the store, then exits with nothing left behind', async () => {
    pm = await spawnPoolManager(sandbox.env);
    const client = poolClient(pm.address);
    await waitFor('2 warm containers', async () => (await warmCount(client)) >= 2, 40_000);
    const [sam, sue] = await Promise.all(
      ['sam', 'sue'].map(async (userId) => {
        const { binding } = await client.acquire({ userId, tier: 'pro', mode: AuthMode.GATEWAY });
        return binding!;
      }),
    );
    client.close();
    await callTool(sam!, 'system_prompt_set', { text: 'Sam trades futures.' });
    writeFileSync(join(workspaceOf(sandbox, sam!.containerId), 'draft.md'), 'half a thought\n');
    writeFileSync(join(workspaceOf(sandbox, sue!.containerId), 'draft.md'), 'sue was here\n');
    expect(storedFile(sandbox.storeDir, 'sam', 'draft.md')).toBeUndefined();

    pm.child.kill('SIGTERM');
    expect(await pm.exited).toBe(0);
    expect(storedFile(sandbox.storeDir, 'sam', 'system-prompt.md')).toBe('Sam trades futures.\n');
    expect(storedFile(sandbox.storeDir, 'sam', 'draft.md')).toBe('half a thought\n');
    expect(storedFile(sandbox.storeDir, 'sue', 'draft.md')).toBe('sue was here\n');
    expect(containerPids(sandbox.dir)).toEqual([]);
    expect(containerDirs(sandbox.stateDir)).toEqual([]);
  });
});
