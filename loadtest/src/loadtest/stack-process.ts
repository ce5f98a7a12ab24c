// Starts the whole stack (`stack/dist/main.js`, what `npm start` runs) on loopback with
// ephemeral ports and its state in a throw-away folder, and stops everything it started —
// including agent processes, which the local runtime spawns detached.
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { built, entries, startStack as startTestkitStack } from '@warmgate/testkit';
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

export async function startStack(options: StackOptions): Promise<RunningStack> {
  if (!built(entries.stack)) throw new Error(`the stack is not built: ${entries.stack} is missing`);
  const logFile = join(options.stateDir, 'stack.log');
  const log = createWriteStream(logFile);
  try {
    const stack = await startTestkitStack({
      dir: options.stateDir,
      cwd: options.repoRoot,
      env: options.env,
      readyTimeoutMs: options.readyTimeoutMs,
      waitReadyz: true,
      stopGraceMs: 45_000,
      // Its own process group: a Ctrl-C in the terminal reaches the runner, which then drains
      // the stack with SIGTERM, instead of both racing to stop it.
      detached: true,
      onOutput: (chunk) => log.write(chunk),
    });
    return {
      target: { http: stack.httpAddress, grpc: stack.grpcAddress },
      pid: stack.process.pid,
      logFile,
      containerPids: async () => stack.containerPids(),
      async stop() {
        await stack.stop();
        log.end();
      },
    };
  } catch (error) {
    log.end();
    throw new Error(`${(error as Error).message.split('\n')[0]}; see ${logFile}`, { cause: error });
  }
}
