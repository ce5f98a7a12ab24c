// The whole stack as `npm start` runs it (stack/dist/main.js: pool manager with the
// local-process runtime + gateway), in a child process on ephemeral loopback ports with its
// data in a temporary directory. Needs a fresh build (`npx tsc -b`).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface StackProcess {
  readonly baseUrl: string;
  readonly grpcAddress: string;
  readonly poolAddress: string;
  readonly child: ChildProcess;
  /** Everything the stack printed, for failure messages. */
  output(): string;
  /** SIGTERM, then waits for a graceful exit; returns the exit code. */
  stop(): Promise<number | null>;
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const stackEntry = join(repoRoot, 'stack/dist/main.js');
export const agentEntry = join(repoRoot, 'agent/dist/main.js');

/** True when the compiled stack and agent exist (the root `npm test` builds first). */
export function stackBuilt(): boolean {
  return existsSync(stackEntry) && existsSync(agentEntry);
}

export async function startStack(env: Record<string, string> = {}): Promise<StackProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'warmgate-stack-'));
  const child = spawn(process.execPath, [stackEntry], {
    cwd: dir,
    env: {
      ...process.env,
      WARMGATE_HOST: '127.0.0.1',
      WARMGATE_HTTP_PORT: '0',
      WARMGATE_GRPC_PORT: '0',
      WARMGATE_POOL_HOST: '127.0.0.1',
      WARMGATE_POOL_PORT: '0',
      WARMGATE_POOL_STATE_DIR: join(dir, '.warmgate/containers'),
      WARMGATE_STORE_DIR: join(dir, '.warmgate/store'),
      WARMGATE_POOL_AGENT_ENTRY: agentEntry,
      WARMGATE_POOL_PROFILES: 'standard:min=1:max=24',
      WARMGATE_POOL_ADAPTIVE: 'false',
      WARMGATE_LLM_BASE_URL: '',
      // Many requests and turns per user in seconds, and anonymous chat through a scripted
      // ("paid") model; admission is tested on its own (gateway/test/security/, test/llm/).
      WARMGATE_PUBLIC_CHAT: 'true',
      WARMGATE_RATE_REQUESTS_PER_S: '100000',
      WARMGATE_RATE_REQUESTS_BURST: '100000',
      WARMGATE_RATE_TURNS_PER_MIN: '100000',
      WARMGATE_RATE_TURNS_BURST: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ httpPort: number; grpcPort: number; poolAddress: string }>(
    (resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the stack did not start within 45 s:\n${log}`)),
        45_000,
      );
      lines.on('line', (line) => {
        log += `${line}\n`;
        if (!line.startsWith('{')) return;
        const parsed = JSON.parse(line) as {
          role?: string;
          httpPort: number;
          grpcPort: number;
          poolAddress: string;
        };
        if (parsed.role === 'stack') {
          clearTimeout(timer);
          resolve(parsed);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the stack exited (${code}) before it was ready:\n${log}`));
      });
    },
  );
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    baseUrl: `http://127.0.0.1:${ready.httpPort}`,
    grpcAddress: `127.0.0.1:${ready.grpcPort}`,
    poolAddress: ready.poolAddress,
    child,
    output: () => log,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
      const code = await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
