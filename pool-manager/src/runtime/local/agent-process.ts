import { spawn, type ChildProcess } from 'node:child_process';
import { watch } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { errors } from '@warmgate/proto';

export interface SpawnedProcess {
  pid: number;
  port: number;
  /** role `container` (agent and sidecar in one process): the agent's port; `port` is the sidecar's. */
  agentPort?: number;
  /** A data-plane sidecar (WARMGATE_SIDECAR_AGENT): its MCP port for the gateway. */
  mcpPort?: number;
}

export interface SpawnOptions {
  nodePath: string;
  nodeArgs: readonly string[];
  entry: string;
  role: 'sidecar' | 'container';
  env: NodeJS.ProcessEnv;
  readyFile: string;
  logFile: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called with the pid as soon as the process exists (before it is ready). */
  onSpawn: (pid: number) => Promise<void>;
  /** Called when the process exits after it was ready (its death; not a failed start). */
  onExit?: () => void;
  /** Runs the process inside another command (a sandbox): its command and arguments. */
  wrap?: (command: string, args: readonly string[]) => { command: string; args: string[] };
}

/**
 * Starts one container process so that it outlives the pool manager: its own process group
 * (detached), output to a log file rather than a pipe (a pipe would break when the pool
 * manager dies), and unref'd. Ready = the process wrote its ready file (the contract's
 * `WARMGATE_READY_FILE`), which a restarted pool manager can read too.
 */
export async function spawnContainerProcess(options: SpawnOptions): Promise<SpawnedProcess> {
  const log = await open(options.logFile, 'a');
  let exited: string | undefined;
  let child;
  try {
    const direct = {
      command: options.nodePath,
      args: [...options.nodeArgs, options.entry, options.role],
    };
    const { command, args } = options.wrap ? options.wrap(direct.command, direct.args) : direct;
    // Still its own process group: destroying the container signals the sandbox and all in it.
    child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      env: { ...options.env, WARMGATE_READY_FILE: options.readyFile },
    });
  } finally {
    await log.close();
  }
  const waker = { wake: () => {} };
  // Without a listener a failed spawn (ENOENT, EAGAIN) would crash the pool manager.
  child.once('error', (error) => {
    exited = `could not start: ${error.message}`;
    waker.wake();
  });
  const pid = child.pid;
  if (pid === undefined) {
    throw errors.unavailable(`could not start the ${options.role} process (${options.entry})`);
  }
  child.unref();
  let started = false;
  child.once('exit', (code, signal) => {
    exited = signal ?? `exit code ${code}`;
    waker.wake();
    if (started) options.onExit?.();
  });
  await options.onSpawn(pid);
  const ready = await waitForReady(options, () => exited, waker);
  started = true;
  return { pid, ...ready };
}

async function waitForReady(
  options: SpawnOptions,
  exited: () => string | undefined,
  waker: { wake: () => void },
) {
  const { readyFile, timeoutMs, role } = options;
  const deadline = Date.now() + timeoutMs;
  const watcher = watch(dirname(readyFile), (_event, name) => {
    if (name === basename(readyFile)) waker.wake();
  });
  try {
    for (;;) {
      const ready = await readReadyPorts(readyFile);
      if (ready !== undefined) return ready;
      const why = exited();
      if (why)
        throw errors.unavailable(`${role} exited before ready (${why}); see ${options.logFile}`);
      if (options.signal?.aborted) throw errors.cancelled(`${role} start cancelled`);
      if (Date.now() > deadline) {
        throw errors.deadlineExceeded(
          `${role} not ready after ${timeoutMs} ms; see ${options.logFile}`,
        );
      }
      // The watcher wakes us at once; the slow poll only covers file systems without
      // inotify (a fast poll of many starting containers would crowd the libuv threadpool
      // that claim records are written through).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250);
        waker.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    watcher.close();
  }
}

async function readReadyPorts(
  readyFile: string,
): Promise<{ port: number; agentPort?: number; mcpPort?: number } | undefined> {
  try {
    const ready = JSON.parse(await readFile(readyFile, 'utf8')) as {
      ready?: boolean;
      port?: number;
      agentPort?: number;
      mcpPort?: number;
    };
    if (ready.ready !== true || typeof ready.port !== 'number') return undefined;
    return {
      port: ready.port,
      ...(typeof ready.agentPort === 'number' ? { agentPort: ready.agentPort } : {}),
      ...(typeof ready.mcpPort === 'number' ? { mcpPort: ready.mcpPort } : {}),
    };
  } catch {
    return undefined; // not there yet, or half-written
  }
}

export interface PlainAgentOptions {
  command: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  logFile: string;
  onSpawn: (pid: number) => Promise<void>;
  /** Called when the agent exits after it started. */
  onExit?: () => void;
  /** Runs the process inside another command (a sandbox): its command and arguments. */
  wrap?: (command: string, args: readonly string[]) => { command: string; args: string[] };
}

/**
 * Starts an agent under the agent start contract (docs/architecture.md): any command, in its
 * own process group, output to a log file. It writes no ready file: the data-plane sidecar
 * waits until it answers on WARMGATE_AGENT_LISTEN.
 */
export async function spawnPlainAgent(options: PlainAgentOptions): Promise<number> {
  const [given, ...givenArgs] = options.command;
  const { command: file, args } = options.wrap
    ? options.wrap(given!, givenArgs)
    : { command: given!, args: givenArgs };
  const log = await open(options.logFile, 'a');
  let child: ChildProcess;
  let spawned: Promise<void>;
  try {
    child = spawn(file, args, {
      detached: true,
      cwd: options.cwd,
      stdio: ['ignore', log.fd, log.fd],
      env: options.env,
    });
    // Listened to at once: 'spawn' or 'error' may come while the log file closes.
    spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error: Error) =>
        reject(errors.unavailable(`could not start the agent ${file}: ${error.message}`, error)),
      );
    });
  } finally {
    await log.close();
  }
  await spawned;
  child.once('exit', () => options.onExit?.());
  child.unref();
  await options.onSpawn(child.pid!);
  return child.pid!;
}
