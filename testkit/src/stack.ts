// The whole stack as `npm start` runs it (stack/dist/main.js: pool manager with the
// local-process runtime + gateway) in a child process, on loopback with ephemeral ports and its
// state in a folder of its own. stop() drains it (SIGTERM), SIGKILLs it after a bound, then
// kills any container process left over and removes the folder it made.
import { join } from 'node:path';
import { containerLeaderPids, killContainers } from './container-processes.js';
import { spawnEntry, type EntryProcess } from './entry-process.js';
import { trackSandbox } from './leftovers.js';
import { entries } from './paths.js';
import { makeTempDir, removeDir } from './temp-dir.js';

export interface StackOptions {
  /** WARMGATE_* settings on top of the loopback, ephemeral-port and offline-model ones. */
  readonly env?: Readonly<Record<string, string>>;
  /** Holds `containers/` and `store/`; default a fresh temp dir that stop() removes. */
  readonly dir?: string;
  /** Default 60 s. */
  readonly readyTimeoutMs?: number;
  /** Also wait until GET /readyz answers 200 (the pool manager is reachable). */
  readonly waitReadyz?: boolean;
  /** SIGTERM → SIGKILL bound of stop(); default 45 s. */
  readonly stopGraceMs?: number;
  /** Default: `dir`. */
  readonly cwd?: string;
  /** Its own process group (a terminal's Ctrl-C reaches only the caller, which then stops it). */
  readonly detached?: boolean;
  /** Every chunk it prints, e.g. to a log file. */
  readonly onOutput?: (chunk: Buffer) => void;
}

export interface StackReadyLine extends Record<string, unknown> {
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly poolAddress: string;
}

export interface Stack {
  readonly dir: string;
  readonly stateDir: string;
  readonly storeDir: string;
  /** `http://127.0.0.1:<port>` of the gateway's HTTP / WebSocket / MCP server. */
  readonly baseUrl: string;
  /** `127.0.0.1:<port>` of the same server. */
  readonly httpAddress: string;
  /** `127.0.0.1:<port>` of the gateway's gRPC server. */
  readonly grpcAddress: string;
  /** host:port of the pool manager. */
  readonly poolAddress: string;
  readonly process: EntryProcess<StackReadyLine>;
  /** Everything the stack printed, for failure messages. */
  output(): string;
  /** Live agent and sidecar processes of this stack (their children left out). */
  containerPids(): number[];
  /** SIGTERM, SIGKILL after the grace, leftover containers killed; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dir = options.dir ?? makeTempDir('stack');
  const stateDir = join(dir, 'containers');
  const storeDir = join(dir, 'store');
  const untrack = trackSandbox(stateDir);
  const cleanup = () => {
    killContainers(stateDir);
    if (options.dir === undefined) removeDir(dir);
    untrack();
  };
  let stack: EntryProcess<StackReadyLine>;
  try {
    stack = await spawnEntry<StackReadyLine>(entries.stack, {
      name: 'the stack',
      cwd: options.cwd ?? dir,
      env: {
        WARMGATE_HOST: '127.0.0.1',
        WARMGATE_HTTP_PORT: '0',
        WARMGATE_GRPC_PORT: '0',
        WARMGATE_POOL_HOST: '127.0.0.1',
        WARMGATE_POOL_PORT: '0',
        WARMGATE_POOL_METRICS_PORT: '0',
        WARMGATE_POOL_STATE_DIR: stateDir,
        WARMGATE_STORE_DIR: storeDir,
        // The offline model: no network, deterministic tool calls.
        WARMGATE_LLM_BASE_URL: '',
        ...options.env,
      },
      ready: (line) => line.ready === true && line.role === 'stack',
      readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
      detached: options.detached ?? false,
      ...(options.onOutput ? { onOutput: options.onOutput } : {}),
    });
  } catch (error) {
    cleanup();
    throw error;
  }
  // Should the caller itself exit, the stack must not outlive it.
  const onExit = () => stack.child.kill('SIGTERM');
  process.once('exit', onExit);
  const { httpPort, grpcPort, poolAddress } = stack.ready;
  const running: Stack = {
    dir,
    stateDir,
    storeDir,
    baseUrl: `http://127.0.0.1:${httpPort}`,
    httpAddress: `127.0.0.1:${httpPort}`,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    poolAddress,
    process: stack,
    output: () => stack.output(),
    containerPids: () => containerLeaderPids(stateDir),
    async stop() {
      const code = await stack.stop(options.stopGraceMs ?? 45_000);
      process.off('exit', onExit);
      // The pool manager drains its agents on SIGTERM; what survived a crash or SIGKILL goes now.
      cleanup();
      return code;
    },
  };
  if (options.waitReadyz) {
    try {
      await waitReadyz(`${running.baseUrl}/readyz`, options.readyTimeoutMs ?? 60_000);
    } catch (error) {
      await running.stop();
      throw error;
    }
  }
  return running;
}

async function waitReadyz(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}
