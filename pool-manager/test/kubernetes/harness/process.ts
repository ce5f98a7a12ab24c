import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** A child process of the test cluster, its output in a log file the failure message names. */
export interface Child {
  readonly name: string;
  readonly logPath: string;
  /** Rejects as soon as the process exits (used to fail fast while waiting for readiness). */
  readonly exited: Promise<never>;
  stop(): Promise<void>;
}

export function startChild(name: string, command: string, args: string[], logPath: string): Child {
  const log = createWriteStream(logPath);
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let stopping = false;
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => {
      if (!stopping) reject(new Error(`${name} exited (${code ?? signal}); see ${logPath}`));
    });
    child.once('error', (error) => reject(new Error(`${name} failed to start: ${error.message}`)));
  });
  exited.catch(() => undefined);
  return {
    name,
    logPath,
    exited,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        const gone = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await gone;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}

/** Polls `check` until it resolves true, failing early if the process exits; bounded by `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  exited?: Promise<never>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const ok = await (exited ? Promise.race([check(), exited]) : check());
      if (ok) return;
    } catch (error) {
      if (exited && (await isSettled(exited))) throw error;
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
}

async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  const result = await Promise.race([promise.catch(() => 'settled'), Promise.resolve(marker)]);
  return result !== marker;
}
