// WARMGATE_POOL_AGENT_PROCESSES=1: agent and sidecar in one Node process per container (the
// `container` role), with real agents: warm, claimed and bound, a write saved to the store,
// released, and nothing left running.
import { readFileSync } from 'node:fs';
import { AuthMode } from '@warmgate/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPoolManager } from '../src/index.js';
import {
  callTool,
  containerDirs,
  containerPids,
  startTestPool,
  stopTestPool,
  storedFile,
  waitFor,
  type PoolClient,
  type Sandbox,
} from './support.js';

let sandbox: Sandbox;
let pool: RunningPoolManager;
let client: PoolClient;

beforeAll(async () => {
  ({ sandbox, pool, client } = await startTestPool(
    {
      WARMGATE_POOL_AGENT_PROCESSES: '1',
      WARMGATE_POOL_PROFILES: 'standard:min=1:max=4',
      WARMGATE_POOL_ADAPTIVE: 'false',
    },
    1,
  ));
});

afterAll(() => stopTestPool({ sandbox, pool, client }, { noContainerDirs: true }));

/** The Node processes running a container's roles (not their short-lived git children). */
function rolesOf(containerId: string): string[] {
  return containerPids(sandbox.dir).flatMap((pid) => {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const role = args.find((a) => ['agent', 'sidecar', 'container'].includes(a));
      return environ.includes(`/${containerId}/workspace`) && role ? [role] : [];
    } catch {
      return []; // gone meanwhile
    }
  });
}

describe('one process per container (WARMGATE_POOL_AGENT_PROCESSES=1)', () => {
  it('runs a warm container as one process that binds, saves and is released', async () => {
    const [warm] = containerDirs(sandbox.stateDir);
    expect(rolesOf(warm!)).toEqual(['container']);

    const { binding } = await client.acquire({
      userId: 'olga',
      tier: 'free',
      mode: AuthMode.GATEWAY,
    });
    expect(binding!.containerId).toBe(warm);
    await callTool(binding!, 'system_prompt_set', { text: 'One process.' });
    expect(storedFile(sandbox.storeDir, 'olga', 'system-prompt.md')).toBe('One process.\n');

    await client.release({ userId: 'olga', bindingId: binding!.bindingId });
    await waitFor('the released container to be gone', () => rolesOf(warm!).length === 0);
    expect(containerDirs(sandbox.stateDir)).not.toContain(warm);
  });
});
