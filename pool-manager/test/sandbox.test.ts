// The local runtime's sandbox (WARMGATE_POOL_SANDBOX=bubblewrap) on a real pool manager with
// real agent and sidecar processes: a container's processes see their own folder and nothing
// of any other container's, nor the store, nor the pool manager's secret, nor other processes;
// binds and writes still work (through the loopback store, with a credential per binding).
// What a process sees is read through /proc/<pid>/root, which resolves paths in that
// process's own mount namespace. Needs `bwrap` (Debian package bubblewrap; .ci/run installs it).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthMode, type poolv1 } from '@warmgate/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callTool,
  containerPids,
  makeSandbox,
  poolClient,
  spawnPoolManager,
  waitFor,
  type PoolManagerProcess,
  type Sandbox,
} from './support.js';

let sandbox: Sandbox;
let pool: PoolManagerProcess;
const bindings = new Map<string, poolv1.Binding>();

beforeAll(async () => {
  try {
    execFileSync('bwrap', ['--version']);
  } catch {
    throw new Error('bwrap is missing: apt-get install bubblewrap (.ci/run does)');
  }
  sandbox = makeSandbox({
    WARMGATE_POOL_PROFILES: 'standard:min=2:max=4',
    WARMGATE_POOL_SANDBOX: 'bubblewrap',
  });
  pool = await spawnPoolManager(sandbox.env);
  const client = poolClient(pool.address);
  try {
    for (const user of ['alice', 'bob']) {
      const { binding } = await client.acquire(
        { userId: user, tier: 'free', mode: AuthMode.GATEWAY },
        { timeoutMs: 30_000 },
      );
      bindings.set(user, binding!);
    }
  } finally {
    client.close();
  }
}, 90_000);

afterAll(async () => {
  if (pool && pool.child.exitCode === null) {
    pool.child.kill('SIGKILL');
    await pool.exited;
  }
  sandbox?.cleanup();
});

/** The node processes (not their bwrap parents) of one container. */
function nodePidsOf(containerId: string): number[] {
  return containerPids(join(sandbox.stateDir, containerId, 'workspace')).filter(
    (pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'node',
  );
}

/** `path` as the process sees it. */
const seen = (pid: number, path: string) => join(`/proc/${pid}/root`, path);

describe('local runtime under bubblewrap', () => {
  it("a container's processes cannot see another container's folder, the store or the pool secret", () => {
    const alice = bindings.get('alice')!;
    const bob = bindings.get('bob')!;
    const pids = nodePidsOf(alice.containerId);
    expect(pids.length).toBe(2); // agent and sidecar
    for (const pid of pids) {
      // Its own folder, and of the state dir nothing else.
      expect(readdirSync(seen(pid, sandbox.stateDir))).toEqual([alice.containerId]);
      expect(existsSync(seen(pid, join(sandbox.stateDir, alice.containerId, 'workspace')))).toBe(
        true,
      );
      expect(existsSync(seen(pid, join(sandbox.stateDir, bob.containerId)))).toBe(false);
      expect(existsSync(seen(pid, join(sandbox.stateDir, 'pool.secret')))).toBe(false);
      // The store, where every user's repository is: empty.
      expect(readdirSync(seen(pid, sandbox.storeDir))).toEqual([]);
      // Its own PID namespace: no other process's /proc/<pid>/environ to read.
      const visible = readdirSync(seen(pid, '/proc')).filter((e) => /^\d+$/.test(e));
      expect(visible.length).toBeLessThanOrEqual(3);
    }
    // Outside the sandbox the folders are there (the check above is not vacuous).
    expect(existsSync(join(sandbox.stateDir, bob.containerId, 'workspace'))).toBe(true);
    expect(readdirSync(sandbox.storeDir).some((name) => name.startsWith('alice'))).toBe(true);
  });

  it('serves and persists writes through the loopback store', async () => {
    const alice = bindings.get('alice')!;
    await callTool(alice, 'profile_update', { display_name: 'Alice in a sandbox' });
    const profile = await callTool(alice, 'profile_get', {});
    expect(JSON.stringify(profile)).toContain('Alice in a sandbox');
    // The write reached alice's repository in the store (pushed by the agent over HTTP).
    await waitFor('the push', () => {
      const log = execFileSync('git', [
        '--git-dir',
        join(sandbox.storeDir, 'alice.git'),
        'log',
        '--format=%s',
      ]).toString();
      return log.split('\n').filter(Boolean).length >= 2;
    });
  });
});
