// Starts the whole stack (`stack/dist/main.js`, what `npm start` runs) on loopback with
// ephemeral ports and its state in a throw-away folder, and stops everything it started —
// including agent processes, which the local runtime spawns detached.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Target } from './target.js';

export interface StackOptions {
  readonly repoRoot: string;
  /** Holds the repo store, container state and stack.log; the caller removes it. */
  readonly stateDir: string;
  /** WARMGATE_* settings on top of the loopback/ephemeral ones. */
  readonly env: Readonly<Record<string, string>>;
  readonly readyTimeoutMs: number;
}

export interface RunningStack {
  readonly target: Target;
  readonly pid: number;
  readonly logFile: string;
  /** pids of the agent containers' processes (agent + sidecar) alive now. */
  containerPids(): Promise<number[]>;
  /** SIGTERM (drain), SIGKILL after the grace, then any container process left over. */
  stop(): Promise<void>;
}

const stopGraceMs = 45_000;

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const entry = join(options.repoRoot, 'gateway', 'dist', 'stack', 'main.js');
  if (!existsSync(entry)) throw new Error(`the stack is not built: ${entry} is missing`);
  const containers = join(options.stateDir, 'containers');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WARMGATE_HOST: '127.0.0.1',
    WARMGATE_HTTP_PORT: '0',
    WARMGATE_GRPC_PORT: '0',
    WARMGATE_POOL_HOST: '127.0.0.1',
    WARMGATE_POOL_PORT: '0',
    WARMGATE_POOL_METRICS_PORT: '0',
    WARMGATE_POOL_STATE_DIR: containers,
    WARMGATE_STORE_DIR: join(options.stateDir, 'store'),
    // The offline model: no network, deterministic tool calls.
    WARMGATE_LLM_BASE_URL: '',
    ...options.env,
  };
  const logFile = join(options.stateDir, 'stack.log');
  const log = createWriteStream(logFile);
  // Its own process group: a Ctrl-C in the terminal reaches the runner, which then drains the
  // stack with SIGTERM, instead of both racing to stop it.
  const child = spawn(process.execPath, [entry], {
    cwd: options.repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  // Should the runner itself die, the stack must not outlive it.
  const onExit = () => child.kill('SIGTERM');
  process.once('exit', onExit);
  child.stderr!.pipe(log, { end: false });
  const stop = async () => {
    await stopStack(child, containers);
    process.off('exit', onExit);
  };
  let ports;
  try {
    ports = await readyLine(child, log, options.readyTimeoutMs, logFile);
    await waitReady(`http://127.0.0.1:${ports.httpPort}/readyz`, options.readyTimeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    target: { http: `127.0.0.1:${ports.httpPort}`, grpc: `127.0.0.1:${ports.grpcPort}` },
    pid: child.pid!,
    logFile,
    containerPids: () => livePids(containers),
    stop,
  };
}

/** Waits for the stack's JSON ready line on stdout (it names the ephemeral ports). */
function readyLine(
  child: ChildProcess,
  log: NodeJS.WritableStream,
  timeoutMs: number,
  logFile: string,
) {
  return new Promise<{ httpPort: number; grpcPort: number }>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(
      () => reject(new Error(`stack not ready in ${timeoutMs} ms; see ${logFile}`)),
      timeoutMs,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      log.write(chunk);
      buffered += chunk.toString();
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const text = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (!text.startsWith('{')) continue;
        try {
          const parsed = JSON.parse(text) as {
            ready?: boolean;
            httpPort?: number;
            grpcPort?: number;
          };
          if (parsed.ready && parsed.httpPort && parsed.grpcPort) {
            clearTimeout(timer);
            resolve({ httpPort: parsed.httpPort, grpcPort: parsed.grpcPort });
          }
        } catch {
          // not the ready line
        }
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`the stack exited before ready (${signal ?? `exit ${code}`}); see ${logFile}`),
      );
    });
  });
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
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

async function stopStack(child: ChildProcess, containers: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
    await exited;
    clearTimeout(timer);
  }
  // The pool manager drains its agents on SIGTERM; whatever survived a crash or SIGKILL goes now.
  for (const pid of await livePids(containers)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** pids from <containers>/<id>/{agent,sidecar}.pid that are alive and still node processes. */
async function livePids(containers: string): Promise<number[]> {
  const ids = await readdir(containers).catch(() => [] as string[]);
  const pids: number[] = [];
  for (const id of ids) {
    for (const role of ['agent', 'sidecar']) {
      const raw = await readFile(join(containers, id, `${role}.pid`), 'utf8').catch(() => '');
      const pid = Number(raw.trim());
      if (Number.isInteger(pid) && pid > 1 && (await isOurs(pid, containers))) pids.push(pid);
    }
  }
  return pids;
}

/** Alive and started for this state folder (a pid file can outlive its process; pids get reused). */
async function isOurs(pid: number, containers: string): Promise<boolean> {
  const environ = await readFile(`/proc/${pid}/environ`).catch(() => undefined);
  return environ !== undefined && environ.includes(containers);
}
