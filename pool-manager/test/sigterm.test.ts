// SIGTERM to the pool manager process: every bound container is drained (saved to the store)
// before it exits, and nothing is left running.
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
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

/** A port that was free a moment ago (the exporter cannot report an ephemeral one). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

let sandbox: Sandbox;
let pm: PoolManagerProcess | undefined;

let metricsPort: number;

beforeAll(async () => {
  metricsPort = await freePort();
  sandbox = makeSandbox({
    WARMGATE_POOL_PROFILES: 'standard:min=2:max=8',
    WARMGATE_POOL_METRICS_PORT: String(metricsPort),
  });
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
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/warmgate_pool_containers\{[^}]*state="bound"[^}]*\} 2/);
    expect(metrics).toContain('warmgate_pool_claim_duration');
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
