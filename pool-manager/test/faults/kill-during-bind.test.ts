// kill -9 of the pool manager while a bind is in flight (the claim record may or may not be
// written, the sidecar may be half-way through restoring the repository), then a restart on
// the same state dir: the user is served by exactly one binding, their repository is intact,
// and every container process left alive belongs to a container the new instance knows.
import { readFileSync } from 'node:fs';
import { AuthMode } from '@warmgate/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  containerDirs,
  containerPids,
  makeSandbox,
  poolClient,
  seedRepository,
  spawnPoolManager,
  storedFile,
  waitFor,
  warmCount,
  type PoolManagerProcess,
  type Sandbox,
} from '../support.js';

let sandbox: Sandbox;
const running: PoolManagerProcess[] = [];
const faults = { injected: 0, survived: 0 };

beforeAll(() => {
  sandbox = makeSandbox({
    WARMGATE_POOL_PROFILES: 'standard:min=2:max=8',
    WARMGATE_POOL_ADAPTIVE: 'false',
  });
});

afterAll(async () => {
  console.log(`faults kill-during-bind: ${faults.injected} injected, ${faults.survived} survived`);
  // Also after a timeout: the pool managers first (so none starts another container), then
  // every container process under the sandbox, by process group.
  await Promise.all(running.map((pm) => pm.kill()));
  sandbox.cleanup();
});

/** The container folder of each live container process (from its workspace path). */
function ownersOfLiveProcesses(): Set<string> {
  const owners = new Set<string>();
  for (const pid of containerPids(sandbox.dir)) {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const workspace = environ.find((e) => e.startsWith('WARMGATE_WORKSPACE_DIR='));
      if (workspace) owners.add(workspace.split('/').at(-2)!);
    } catch {
      // exited meanwhile
    }
  }
  return owners;
}

async function start(): Promise<PoolManagerProcess> {
  const pm = await spawnPoolManager(sandbox.env);
  running.push(pm);
  return pm;
}

describe('kill -9 of the pool manager during a bind', () => {
  for (const delayMs of [0, 40, 120]) {
    it(`killed ${delayMs} ms into an Acquire: one binding after the restart, no orphans`, async () => {
      const user = `user-${delayMs}`;
      seedRepository(sandbox.storeDir, user, { 'notes/keep.md': `kept for ${user}\n` });
      let pm = await start();
      let client = poolClient(pm.address);
      await waitFor('2 warm containers', async () => (await warmCount(client)) >= 2, 40_000);
      const inFlight = client
        .acquire({ userId: user, tier: 'free', mode: AuthMode.GATEWAY }, { timeoutMs: 20_000 })
        .catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      pm.child.kill('SIGKILL');
      await pm.exited;
      faults.injected++;
      await inFlight; // answered or failed: either way the client was not left hanging
      client.close();

      pm = await start();
      client = poolClient(pm.address);
      const first = await client.acquire({ userId: user, tier: 'free', mode: AuthMode.GATEWAY });
      const again = await client.acquire({ userId: user, tier: 'free', mode: AuthMode.GATEWAY });
      expect(again.binding?.bindingId).toBe(first.binding?.bindingId);
      const { state } = await client.getStatus({});
      expect(state?.bindings).toBe(1);
      expect(storedFile(sandbox.storeDir, user, 'notes/keep.md')).toBe(`kept for ${user}\n`);
      // Every live container process belongs to a container the new instance keeps on disk.
      await waitFor(
        'no orphaned container processes',
        () =>
          [...ownersOfLiveProcesses()].every((id) => containerDirs(sandbox.stateDir).includes(id)),
        20_000,
      );
      // Leave a clean slate for the next case: release and stop this instance.
      await client.release({ userId: user, bindingId: first.binding!.bindingId });
      client.close();
      pm.child.kill('SIGTERM');
      await pm.exited;
      faults.survived++;
    });
  }
});
