// kill -9 of the pool manager, then a restart: the containers outlived it; the new instance
// adopts the warm and bound ones the agents confirm, destroys what it cannot confirm, leaves
// no orphaned process and never binds a user twice.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthMode, poolv1 } from '@warmgate/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  containerDirs,
  containerPids,
  makeSandbox,
  poolClient,
  spawnPoolManager,
  waitFor,
  warmCount,
  type PoolManagerProcess,
  type Sandbox,
} from './support.js';

let sandbox: Sandbox;
const running: PoolManagerProcess[] = [];

beforeAll(() => {
  sandbox = makeSandbox({
    WARMGATE_POOL_PROFILES: 'standard:min=2:max=8',
    WARMGATE_POOL_ADAPTIVE: 'false',
  });
});

afterAll(async () => {
  // Also after a timeout: the pool managers first (so none starts another container), then
  // every container process under the sandbox, by process group.
  await Promise.all(running.map((pm) => pm.kill()));
  sandbox.cleanup();
});

/** The container folder each live container process works in. */
function ownersOf(pids: number[]): Set<string> {
  const owners = new Set<string>();
  for (const pid of pids) {
    let environ: string[];
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    } catch {
      continue; // exited since it was listed
    }
    const workspace = environ.find((e) => e.startsWith('WARMGATE_WORKSPACE_DIR='))!;
    owners.add(workspace.slice('WARMGATE_WORKSPACE_DIR='.length).split('/').at(-2)!);
  }
  return owners;
}

describe('pool manager restart after kill -9', () => {
  it('adopts what it left, destroys the unconfirmed, no orphans, no double binding', async () => {
    const first = await spawnPoolManager(sandbox.env);
    running.push(first);
    const client = poolClient(first.address);
    await waitFor('2 warm containers', async () => (await warmCount(client)) >= 2, 40_000);
    const bound = await client.acquire({ userId: 'alice', tier: 'pro', mode: AuthMode.GATEWAY });
    await waitFor('the pool to refill', async () => (await warmCount(client)) >= 2, 40_000);
    client.close();
    const before = containerDirs(sandbox.stateDir).sort();
    expect(before).toHaveLength(3);

    first.child.kill('SIGKILL');
    await first.exited;
    // The containers outlive the pool manager.
    expect(ownersOf(containerPids(sandbox.dir))).toEqual(new Set(before));
    // A warm container whose processes died while nobody watched.
    const dead = before.find((id) => id !== bound.binding!.containerId)!;
    const record = JSON.parse(
      readFileSync(join(sandbox.stateDir, dead, 'container.json'), 'utf8'),
    ) as { agent: { pid: number }; sidecar: { pid: number } };
    process.kill(-record.sidecar.pid, 'SIGKILL');
    process.kill(-record.agent.pid, 'SIGKILL');
    await waitFor('its processes to go', () => !ownersOf(containerPids(sandbox.dir)).has(dead));
    // A container the dead instance was still creating: a folder with a pid file only.
    const halfMade = join(sandbox.stateDir, 'c-half-made');
    mkdirSync(halfMade);
    writeFileSync(join(halfMade, 'agent.pid'), '999999');

    const second = await spawnPoolManager(sandbox.env);
    running.push(second);
    const client2 = poolClient(second.address);
    try {
      const again = await Promise.all(
        Array.from({ length: 5 }, () =>
          client2.acquire({ userId: 'alice', tier: 'pro', mode: AuthMode.GATEWAY }),
        ),
      );
      for (const result of again) {
        expect(result.source).toBe(poolv1.AcquireSource.EXISTING);
        expect(result.binding!.bindingId).toBe(bound.binding!.bindingId);
        expect(result.binding!.assertionKey).toEqual(bound.binding!.assertionKey);
      }
      await waitFor('the pool to refill', async () => (await warmCount(client2)) >= 2, 40_000);
      const { state } = await client2.getStatus({});
      expect(state!.profiles[0]).toMatchObject({ warm: 2, bound: 1 });
      // The live containers were adopted; the dead and the half-made ones are gone; every
      // running process belongs to a container the pool manager knows.
      const after = containerDirs(sandbox.stateDir);
      expect(after).toHaveLength(3);
      expect(after).not.toContain(dead);
      expect(after).not.toContain('c-half-made');
      for (const id of before.filter((id) => id !== dead)) expect(after).toContain(id);
      expect(ownersOf(containerPids(sandbox.dir))).toEqual(new Set(after));
    } finally {
      client2.close();
    }

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(containerPids(sandbox.dir)).toEqual([]);
    expect(containerDirs(sandbox.stateDir)).toEqual([]);
  });
});
