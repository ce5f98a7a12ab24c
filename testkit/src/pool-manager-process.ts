// A pool manager (pool-manager/dist/main.js) in a child process over a throw-away state dir
// and repo store, on loopback with ephemeral ports.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { killContainers } from './container-processes.js';
import { spawnEntry, type EntryProcess } from './entry-process.js';
import { trackSandbox } from './leftovers.js';
import { entries } from './paths.js';
import { poolManagerEnv } from './process-stack.js';
import { makeTempDir, removeDir } from './temp-dir.js';
import { TEST_POOL_SECRET } from './test-env.js';

export interface PoolSandbox {
  readonly dir: string;
  readonly stateDir: string;
  readonly storeDir: string;
  /** The pool manager's environment for this sandbox. */
  readonly env: Readonly<Record<string, string>>;
  /** SIGKILLs every container process group under the sandbox and removes it. */
  cleanup(): void;
}

/** A fresh state dir and store; `env` is the pool manager's environment for them. */
export function makePoolSandbox(env: Record<string, string> = {}): PoolSandbox {
  const dir = makeTempDir('pm-test');
  const stateDir = join(dir, 'containers');
  const storeDir = join(dir, 'store');
  mkdirSync(storeDir, { recursive: true });
  const untrack = trackSandbox(dir);
  return {
    dir,
    stateDir,
    storeDir,
    env: {
      ...poolManagerEnv(stateDir, storeDir),
      WARMGATE_POOL_PROFILES: 'standard:min=1:max=8',
      WARMGATE_POOL_KILL_GRACE: '1s',
      WARMGATE_POOL_SHUTDOWN_GRACE: '20s',
      WARMGATE_POOL_SECRET: TEST_POOL_SECRET,
      // Lets a suite run against another agent build; the default is agent/dist/main.js.
      ...(process.env.WARMGATE_POOL_AGENT_ENTRY
        ? { WARMGATE_POOL_AGENT_ENTRY: process.env.WARMGATE_POOL_AGENT_ENTRY }
        : {}),
      ...env,
    },
    cleanup() {
      killContainers(dir);
      removeDir(dir);
      untrack();
    },
  };
}

export interface PoolManagerProcess {
  readonly child: EntryProcess['child'];
  readonly port: number;
  /** `127.0.0.1:<port>` of its Pool service. */
  readonly address: string;
  /** Resolves with the exit code once it has exited. */
  readonly exited: Promise<number | null>;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM (drain), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL (no drain; its containers live on). */
  kill(): Promise<number | null>;
}

/** Runs `node pool-manager/dist/main.js` with `env` and resolves once it prints its ready line. */
export async function spawnPoolManager(
  env: Readonly<Record<string, string>>,
): Promise<PoolManagerProcess> {
  const pm = await spawnEntry<{ port: number }>(entries.poolManager, {
    name: 'pool manager',
    env,
  });
  return {
    child: pm.child,
    port: pm.ready.port,
    address: `127.0.0.1:${pm.ready.port}`,
    exited: pm.exited,
    output: pm.output,
    stop: pm.stop,
    kill: () => pm.kill('SIGKILL'),
  };
}
