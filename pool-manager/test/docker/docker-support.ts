// Helpers for the Docker tests: the agent image (built by `npm run images` when missing or
// stale; Docker's layer cache makes a rebuild of unchanged sources quick), `docker exec`,
// the containers a pool (state folder) owns, the test files' common set-up (settings,
// sandboxes and pool manager processes cleaned up after the file) and the kill -9 restart. These tests fail, never skip, when Docker
// cannot run: ensure-docker.sh installs and starts what it can and says why it cannot.
import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AuthMode, poolv1 } from '@warmgate/proto';
import { dockerContainers, removeDockerContainers } from '@warmgate/testkit';
import { afterAll, beforeAll, expect } from 'vitest';
import { poolLabel } from '../../src/runtime/docker/index.js';
import {
  makeSandbox,
  poolClient,
  spawnPoolManager,
  waitFor,
  warmCount,
  type PoolClient,
  type PoolManagerProcess,
  type Sandbox,
} from '../support.js';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
export const AGENT_IMAGE = process.env.WARMGATE_POOL_DOCKER_IMAGE || 'warmgate/agent:dev';

/**
 * Starts Docker if it can and builds the agent image (quick when nothing changed). An image
 * named by WARMGATE_POOL_DOCKER_IMAGE is used as it is (it must exist).
 */
export function ensureAgentImage(): void {
  if (process.env.WARMGATE_POOL_DOCKER_IMAGE) {
    execFileSync('bash', ['scripts/ensure-docker.sh'], { cwd: root, stdio: 'inherit' });
    execFileSync('docker', ['image', 'inspect', AGENT_IMAGE], { stdio: 'ignore' });
    return;
  }
  execFileSync('node', ['scripts/images.js', 'agent'], { cwd: root, stdio: 'inherit' });
}

export async function dockerExec(
  container: string,
  command: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('docker', ['exec', container, ...command], {
      maxBuffer: 16 * 2 ** 20,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failure.code === 'number' ? failure.code : 1,
      stdout: failure.stdout ?? '',
      stderr: failure.stderr ?? '',
    };
  }
}

/** SIGKILL to the container's main process, from outside (PID 1 ignores it from inside). */
export async function dockerKill(container: string): Promise<void> {
  await exec('docker', ['kill', '--signal', 'KILL', container]);
}

export async function dockerInspect(container: string): Promise<DockerInspect> {
  const { stdout } = await exec('docker', ['inspect', container]);
  return (JSON.parse(stdout) as DockerInspect[])[0]!;
}

export interface DockerInspect {
  Id: string;
  Config: { User: string; Env: string[]; Labels: Record<string, string> };
  State: { Running: boolean; Pid: number };
  HostConfig: {
    NetworkMode: string;
    ReadonlyRootfs: boolean;
    CapDrop: string[] | null;
    SecurityOpt: string[] | null;
    Privileged: boolean;
    Memory: number;
    NanoCpus: number;
    PidsLimit: number;
  };
  Mounts: { Type: string; Source: string; Destination: string; RW: boolean }[];
}

/** Names of every Docker container (running or not) of the pool with this state folder. */
export function poolContainers(stateDir: string): Promise<string[]> {
  return dockerContainers(`warmgate.io/pool=${poolLabel(stateDir)}`);
}

/** Removes whatever a test left behind (after a failure), by the pool's label. */
export async function removePoolContainers(stateDir: string): Promise<void> {
  await removeDockerContainers(`warmgate.io/pool=${poolLabel(stateDir)}`);
}

/**
 * A Docker pool manager's settings in these tests: the agent image, small limits (the
 * `Memory` and `NanoCpus` the hardening checks expect), no adaptive sizing, and room for a
 * busy machine's container start-up. `profiles` and `extra` are the test's own.
 */
export function dockerPoolEnv(
  profiles: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    WARMGATE_POOL_RUNTIME: 'docker',
    WARMGATE_POOL_DOCKER_IMAGE: AGENT_IMAGE,
    WARMGATE_POOL_DOCKER_LIMITS: '*:cpus=0.5:memory=384m:pids=128',
    WARMGATE_POOL_PROFILES: profiles,
    WARMGATE_POOL_ADAPTIVE: 'false',
    WARMGATE_POOL_READY_TIMEOUT: '60s',
    WARMGATE_POOL_BIND_TIMEOUT: '60s',
    ...extra,
  };
}

export interface DockerPools {
  /** A fresh sandbox, its containers removed and its folder deleted after the file. */
  sandbox(env: Record<string, string>): Sandbox;
  /** A pool manager process, SIGKILLed after the file if a test left it running. */
  spawn(sandbox: Sandbox): Promise<PoolManagerProcess>;
}

/**
 * A Docker test file's set-up: the agent image before its tests; after them every pool
 * manager process it spawned killed and every container of its sandboxes removed (what a
 * failure left behind: a passing test stops its pools itself).
 */
export function useDockerPools(): DockerPools {
  const sandboxes: Sandbox[] = [];
  const spawned: PoolManagerProcess[] = [];
  beforeAll(() => {
    ensureAgentImage();
  }, 1_800_000);
  afterAll(async () => {
    for (const pm of spawned) pm.child.kill('SIGKILL');
    for (const sandbox of sandboxes) {
      await removePoolContainers(sandbox.stateDir);
      sandbox.cleanup();
    }
  }, 180_000);
  return {
    sandbox(env) {
      const sandbox = makeSandbox(env);
      sandboxes.push(sandbox);
      return sandbox;
    },
    async spawn(sandbox) {
      const pm = await spawnPoolManager(sandbox.env);
      spawned.push(pm);
      return pm;
    },
  };
}

/**
 * kill -9 of a pool manager holding `userId`'s binding, then a restart over the same state
 * folder: the restarted one must adopt the bound container (same binding, EXISTING) and hand
 * it to `check`; then SIGTERM stops it cleanly and no container of the pool is left.
 * `beforeRestart` runs while no pool manager is alive (the containers as the kill left them).
 */
export async function restartAfterKill(
  pools: DockerPools,
  sandbox: Sandbox,
  options: {
    userId: string;
    warm: number;
    beforeRestart?: (bound: poolv1.Binding) => Promise<void>;
    check: (adopted: poolv1.Binding, client: PoolClient) => Promise<void>;
  },
): Promise<void> {
  const first = await pools.spawn(sandbox);
  const client = poolClient(first.address);
  const acquire = (pool: PoolClient) =>
    pool.acquire({ userId: options.userId, tier: 'pro', mode: AuthMode.GATEWAY });
  const refilled = () =>
    waitFor(`${options.warm} warm`, async () => (await warmCount(client)) >= options.warm, 180_000);
  let bound: poolv1.Binding;
  try {
    await refilled();
    bound = (await acquire(client)).binding!;
    await refilled();
  } finally {
    client.close();
  }
  first.child.kill('SIGKILL');
  await first.exited;
  await options.beforeRestart?.(bound);

  const second = await pools.spawn(sandbox);
  const client2 = poolClient(second.address);
  try {
    const again = await acquire(client2);
    expect(again.source).toBe(poolv1.AcquireSource.EXISTING);
    expect(again.binding!.bindingId).toBe(bound.bindingId);
    await options.check(again.binding!, client2);
  } finally {
    client2.close();
  }
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
  expect(await poolContainers(sandbox.stateDir)).toEqual([]);
}
