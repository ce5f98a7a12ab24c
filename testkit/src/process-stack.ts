// The stack split into its processes (pool-manager/dist/main.js, then gateway/dist/main.js in
// front of it) on loopback with ephemeral ports over a throw-away state dir and store, for
// benches that kill parts of it. stop() stops both (gateway first), kills any container process
// left over and removes the folder.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { killContainers } from './container-processes.js';
import { EntryProcesses, type EntryOptions } from './entry-process.js';
import { entries } from './paths.js';
import { makeTempDir, removeDir } from './temp-dir.js';

/** The pool manager on loopback, ephemeral ports, metrics off, over this state dir and store. */
export function poolManagerEnv(stateDir: string, storeDir: string): Record<string, string> {
  return {
    WARMGATE_POOL_HOST: '127.0.0.1',
    WARMGATE_POOL_PORT: '0',
    WARMGATE_POOL_METRICS_PORT: '0',
    WARMGATE_POOL_STATE_DIR: stateDir,
    WARMGATE_STORE_DIR: storeDir,
  };
}

export interface ProcessStackOptions {
  /** Names the temp dir: `warmgate-<what>-XXXXXX`. */
  readonly what: string;
  /** On top of poolManagerEnv. */
  readonly poolEnv?: Readonly<Record<string, string>>;
  /** On top of loopback, ephemeral ports, this pool manager and the offline model. */
  readonly gatewayEnv?: Readonly<Record<string, string>>;
  /** Default: dropped. */
  readonly stderr?: EntryOptions['stderr'];
  /** SIGTERM → SIGKILL bound of each process in stop(); default 30 s. */
  readonly stopGraceMs?: number;
}

export interface ProcessStack {
  readonly dir: string;
  readonly stateDir: string;
  readonly storeDir: string;
  readonly poolPort: number;
  readonly httpPort: number;
  /** `127.0.0.1:<port>` of the gateway's gRPC server. */
  readonly grpcAddress: string;
  stop(): Promise<void>;
}

export async function startProcessStack(options: ProcessStackOptions): Promise<ProcessStack> {
  const dir = makeTempDir(options.what);
  const stateDir = join(dir, 'containers');
  const storeDir = join(dir, 'store');
  mkdirSync(storeDir, { recursive: true });
  const processes = new EntryProcesses();
  const stderr = options.stderr ?? 'ignore';
  const stop = async () => {
    await processes.stopAll(options.stopGraceMs ?? 30_000);
    killContainers(stateDir);
    removeDir(dir);
  };
  try {
    const pool = await processes.start<{ port: number }>(entries.poolManager, {
      name: 'pool manager',
      stderr,
      env: { ...poolManagerEnv(stateDir, storeDir), ...options.poolEnv },
    });
    const gateway = await processes.start<{ httpPort: number; grpcPort: number }>(entries.gateway, {
      name: 'gateway',
      stderr,
      env: {
        WARMGATE_HOST: '127.0.0.1',
        WARMGATE_HTTP_PORT: '0',
        WARMGATE_GRPC_PORT: '0',
        WARMGATE_POOL_ADDRESS: `127.0.0.1:${pool.port}`,
        WARMGATE_LLM_BASE_URL: '',
        ...options.gatewayEnv,
      },
    });
    return {
      dir,
      stateDir,
      storeDir,
      poolPort: pool.port,
      httpPort: gateway.httpPort,
      grpcAddress: `127.0.0.1:${gateway.grpcPort}`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
