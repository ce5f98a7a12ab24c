// WARMGATE_POOL_AGENT_PROCESSES=1: agent and sidecar in one Node process per container (the
// `container` role), with real agents: warm, claimed and bound, a write saved to the store,
// released, and nothing left running.
import { readFileSync } from 'node:fs';
import { AuthMode } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import {
  callTool,
  containerDirs,
  containerPids,
  useTestPool,
  storedFile,
  waitFor,
} from './support.js';

const pm = useTestPool(
  {
    WARMGATE_POOL_AGENT_PROCESSES: '1',
    WARMGATE_POOL_PROFILES: 'standard:min=1:max=4',
    WARMGATE_POOL_ADAPTIVE: 'false',
  },
  { warm: 1, noContainerDirs: true },
);

/** The Node processes running a container's roles (not their short-lived git children). */
function rolesOf(containerId: string): string[] {
  return containerPids(pm.sandbox.dir).flatMap((pid) => {
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
    const [warm] = containerDirs(pm.sandbox.stateDir);
    expect(rolesOf(warm!)).toEqual(['container']);

    const { binding } = await pm.client.acquire({
      userId: 'olga',
      tier: 'free',
      mode: AuthMode.GATEWAY,
    });
    expect(binding!.containerId).toBe(warm);
    await callTool(binding!, 'system_prompt_set', { text: 'One process.' });
    expect(storedFile(pm.sandbox.storeDir, 'olga', 'system-prompt.md')).toBe('One process.\n');

    await pm.client.release({ userId: 'olga', bindingId: binding!.bindingId });
    await waitFor('the released container to be gone', () => rolesOf(warm!).length === 0);
    expect(containerDirs(pm.sandbox.stateDir)).not.toContain(warm);
  });
});
