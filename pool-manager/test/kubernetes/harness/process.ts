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

// The process runs under a small shell that holds a pipe from us: when the pipe closes —
// stop(), or this test process dying in any way, even SIGKILL — the shell stops the process
// (SIGTERM, then SIGKILL after 5 s). No etcd or kube-apiserver outlives its test run.
// (A background job's stdin is /dev/null in sh, hence the pipe is kept on fd 3.)
const GUARD = [
  'exec 3<&0',
  '"$@" & child=$!',
  '(cat <&3 >/dev/null; kill $child',
  ' for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 $child || exit 0; sleep 0.5; done',
  ' kill -9 $child) >/dev/null 2>&1 &',
  'exec 3<&-',
  'wait $child',
].join('\n');

export function startChild(name: string, command: string, args: string[], logPath: string): Child {
  const log = createWriteStream(logPath);
  const child: ChildProcess = spawn('sh', ['-c', GUARD, 'sh', command, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
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
        child.stdin?.end();
        await gone;
      }
      log.end();
    },
  };
}

/** Polls `check` until it resolves true, failing at once if the process exits; bounded by `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  exited?: Promise<never>,
): Promise<void> {
  let died: unknown;
  const dead = exited?.catch((error: unknown) => {
    died = error;
    return false;
  });
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await (dead ? Promise.race([check(), dead]) : check())) return;
    } catch (error) {
      last = error;
    }
    if (died !== undefined) throw died;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
}
