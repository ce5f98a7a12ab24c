// One built entry point in a child process: spawned, ready once it prints its JSON ready
// line, stopped with SIGTERM and then SIGKILL after a bound. Everything it prints is kept for
// failure messages.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { trackChild } from './leftovers.js';
import { isReady, parseReadyLine, type ReadyLine } from './ready-line.js';

export interface EntryOptions {
  /** Arguments after the entry point (the agent's role). */
  readonly args?: readonly string[];
  /** On top of this process's environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Which JSON stdout line means ready; default `"ready":true`. */
  readonly ready?: (line: ReadyLine) => boolean;
  /** Default 60 s; on expiry the child is SIGKILLed and the start fails with its output. */
  readonly readyTimeoutMs?: number;
  /** 'inherit' passes the child's stderr through; default: kept in output(). */
  readonly stderr?: 'keep' | 'inherit' | 'ignore';
  /** Node flags before the entry point. */
  readonly execArgv?: readonly string[];
  /** Its own process group (so a terminal's Ctrl-C reaches only the parent). */
  readonly detached?: boolean;
  /** Every stdout and stderr chunk, e.g. to a log file. */
  readonly onOutput?: (chunk: Buffer) => void;
  /** Names the process in errors; default the entry's path. */
  readonly name?: string;
}

export interface EntryProcess<R extends ReadyLine = ReadyLine> {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The ready line it printed. */
  readonly ready: R;
  /** Resolves with the exit code (null after a signal) once it has exited. */
  readonly exited: Promise<number | null>;
  alive(): boolean;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs` (default 30 s); resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  /** A signal now (default SIGKILL), then waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function spawnEntry<R extends ReadyLine = ReadyLine>(
  entry: string,
  options: EntryOptions = {},
): Promise<EntryProcess<R>> {
  const name = options.name ?? entry;
  const child = spawn(
    process.execPath,
    [...(options.execArgv ?? []), entry, ...(options.args ?? [])],
    {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: [
        'ignore',
        'pipe',
        options.stderr === 'inherit' || options.stderr === 'ignore' ? options.stderr : 'pipe',
      ],
      detached: options.detached ?? false,
    },
  );
  trackChild(child);
  let log = '';
  const keep = (chunk: Buffer) => {
    log += chunk.toString();
    options.onOutput?.(chunk);
  };
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (alive()) child.kill(signal);
    return exited;
  };
  const readyTest = options.ready ?? isReady;
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const ready = await new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} was not ready within ${timeoutMs} ms:\n${log}`));
    }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => options.onOutput?.(chunk));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      log += `${line}\n`;
      const parsed = parseReadyLine(line);
      if (parsed && readyTest(parsed)) {
        clearTimeout(timer);
        resolve(parsed as R);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new Error(`${name} exited (${code ?? child.signalCode}) before it was ready:\n${log}`),
      );
    });
  });
  return {
    child,
    pid: child.pid!,
    ready,
    exited,
    alive,
    output: () => log,
    stop: (graceMs = 30_000) => stopChild(child, graceMs).then(() => exited),
    kill,
  };
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves once it has exited. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Entry processes started one after another and stopped in the reverse order. */
export class EntryProcesses {
  private readonly started: EntryProcess[] = [];

  /** spawnEntry, remembered for stopAll; resolves with its ready line. */
  async start<R extends ReadyLine = ReadyLine>(entry: string, options: EntryOptions = {}) {
    const child = await spawnEntry<R>(entry, options);
    this.started.push(child);
    return child.ready;
  }

  /** Stops every process started (last first), each with SIGTERM then SIGKILL after `graceMs`. */
  async stopAll(graceMs?: number): Promise<void> {
    for (const child of this.started.splice(0).reverse()) await child.stop(graceMs);
  }
}
