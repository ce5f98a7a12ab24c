// SIGTERM to the pool manager process: every bound container is drained (saved to the store)
// before it exits, and nothing is left running.
import { readFileSync, writeFileSync } from 'node:fs';
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
    // GetStatus explains the warm target: no history yet on a first day, the recent rate.
    const { state } = await client.getStatus({});
    const standard = state!.profiles[0]!;
    expect(standard.targetWarmHistory).toBe(0);
    expect(standard.targetWarmRecent).toBeGreaterThanOrEqual(2);
    expect(standard.targetWarm).toBeGreaterThanOrEqual(standard.targetWarmRecent);
    client.close();
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/warmgate_pool_containers\{[^}]*state="bound"[^}]*\} 2/);
    expect(metrics).toContain('warmgate_pool_claim_duration');
    for (const source of ['history', 'recent', 'total']) {
      expect(metrics).toMatch(
        new RegExp(`warmgate_pool_target_warm\\{[^}]*source="${source}"[^}]*\\} \\d+`),
      );
    }
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
    // The predictive sizer's history was saved on the way out, with today's two claims.
    const history = JSON.parse(
      readFileSync(join(sandbox.stateDir, 'claim-history.json'), 'utf8'),
    ) as { version: number; profiles: { standard: { days: Record<string, number[]> } } };
    expect(history.version).toBe(1);
    const counts = Object.values(history.profiles.standard.days).flat();
    expect(counts.reduce((a, b) => a + b, 0)).toBe(2);
  });
});
