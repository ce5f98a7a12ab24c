// The real stack split into processes a test can kill one by one: the pool manager
// (pool-manager/dist/main.js, local-process runtime, real agent + sidecar processes per
// container, embedded repo store of bare git repositories) and one gateway
// (gateway/dist/main.js). Reuses the pool manager's own test harness (sandbox, spawn, /proc
// scan of container processes). close() kills everything it started, even after a failure.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { poolv1 } from '@warmgate/proto';
import type { createClient } from '@warmgate/proto/grpc';
import { repoPathFor } from '@warmgate/contract';
import {
  containerPids,
  makeSandbox,
  poolClient,
  spawnPoolManager,
  type PoolManagerProcess,
  type Sandbox,
} from '../../../../pool-manager/test/support.js';
import { makeDirectKeys, type DirectKeys } from './direct-keys.js';
import { spawnGateway, type GatewayProcess } from './gateway-process.js';

const run = promisify(execFile);

export interface SplitStackOptions {
  /** Extra pool manager settings (WARMGATE_POOL_*). */
  readonly poolEnv?: Record<string, string>;
  /** Extra gateway settings. */
  readonly gatewayEnv?: Record<string, string>;
}

export interface SplitStack {
  readonly sandbox: Sandbox;
  readonly keys: DirectKeys;
  pool: PoolManagerProcess;
  gateway: GatewayProcess;
  /** The Pool service, as a gateway sees it (for tests that act as an insider). */
  poolClient(): ReturnType<typeof createClient<typeof poolv1.Pool>>;
  /** Starts a pool manager on the same state dir and store (adopting what the last one left). */
  restartPool(): Promise<void>;
  /** SIGKILL of the pool manager process only (its containers live on). */
  killPool9(): Promise<void>;
  /** A new gateway process in front of the current pool manager. */
  restartGateway(env?: Record<string, string>): Promise<void>;
  /** Pids of the live agent/sidecar processes. */
  containerPids(): number[];
  /** The bare repository of a user in the store. */
  repoPath(userId: string): string;
  /** `git` against a user's bare repository. */
  git(userId: string, ...args: string[]): Promise<string>;
  close(): Promise<void>;
}

export async function startSplitStack(options: SplitStackOptions = {}): Promise<SplitStack> {
  const keys = await makeDirectKeys();
  const sandbox = makeSandbox({
    WARMGATE_POOL_PROFILES: 'standard:min=2:max=10',
    WARMGATE_POOL_ADAPTIVE: 'false',
    WARMGATE_POOL_SHUTDOWN_GRACE: '5s',
    WARMGATE_POOL_BIND_TIMEOUT: '10s',
    ...keys.agentEnv,
    ...options.poolEnv,
  });
  let pool: PoolManagerProcess | undefined;
  let gateway: GatewayProcess | undefined;
  const clients: { close(): void }[] = [];
  const stack: SplitStack = {
    sandbox,
    keys,
    get pool() {
      return pool!;
    },
    set pool(value) {
      pool = value;
    },
    get gateway() {
      return gateway!;
    },
    set gateway(value) {
      gateway = value;
    },
    poolClient() {
      const client = poolClient(pool!.address);
      clients.push(client);
      return client;
    },
    async restartPool() {
      // The same port, so the running gateway finds it again.
      const port = String(pool!.port);
      pool = await spawnPoolManager({ ...sandbox.env, WARMGATE_POOL_PORT: port });
    },
    async killPool9() {
      if (pool!.child.exitCode === null && pool!.child.signalCode === null) {
        pool!.child.kill('SIGKILL');
      }
      await pool!.exited;
    },
    async restartGateway(env = {}) {
      await gateway?.stop();
      gateway = await spawnGateway(pool!.address, { ...options.gatewayEnv, ...env });
    },
    containerPids: () => containerPids(sandbox.dir),
    repoPath: (userId) => repoPathFor(sandbox.storeDir, userId),
    async git(userId, ...args) {
      const { stdout } = await run('git', [
        '--git-dir',
        repoPathFor(sandbox.storeDir, userId),
        ...args,
      ]);
      return stdout;
    },
    async close() {
      for (const client of clients.splice(0)) client.close();
      await gateway?.kill9().catch(() => undefined);
      if (pool && pool.child.exitCode === null && pool.child.signalCode === null) {
        pool.child.kill('SIGKILL');
        await pool.exited;
      }
      sandbox.cleanup(); // SIGKILLs every container process group under the sandbox
    },
  };
  try {
    pool = await spawnPoolManager(sandbox.env);
    gateway = await spawnGateway(pool.address, options.gatewayEnv);
  } catch (error) {
    await stack.close();
    throw error;
  }
  return stack;
}
