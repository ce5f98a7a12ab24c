// `npm start`'s stack (pool manager with real agent processes, gateway) in a child process,
// for the benchmarks that go through the real gateway (gateway, coldstart's e2e).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface Stack {
  /** host:port of the gateway's gRPC server. */
  readonly grpc: string;
  /** host:port of the gateway's HTTP / WebSocket server. */
  readonly http: string;
  /** host:port of the pool manager. */
  readonly pool: string;
  /** The stack's Pool deployment secret, so a bench may call the Pool API as the gateway does. */
  readonly poolSecret: string;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** WARMGATE_POOL_PROFILES. */
  readonly profiles: string;
  readonly hs256Secret: string;
  /** Extra environment for the stack and every agent it starts (e.g. NODE_OPTIONS). */
  readonly env?: Readonly<Record<string, string>>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'warmgate-bench-stack-'));
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const poolSecret = randomBytes(32).toString('base64url');
  const proc = spawn(process.execPath, [join(root, 'stack/dist/main.js')], {
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
      WARMGATE_POOL_PROFILES: options.profiles,
      WARMGATE_POOL_ADAPTIVE: 'false',
      WARMGATE_AUTH_HS256_SECRET: options.hs256Secret,
      WARMGATE_POOL_SECRET: poolSecret,
      WARMGATE_LLM_BASE_URL: '',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  proc.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const ready = await new Promise<{ grpcPort: number; httpPort: number; poolAddress: string }>(
    (resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`stack did not start:\n${log}`)), 120_000);
      createInterface({ input: proc.stdout! }).on('line', (line) => {
        if (!line.includes('"role":"stack"')) return;
        clearTimeout(timer);
        resolve(JSON.parse(line) as { grpcPort: number; httpPort: number; poolAddress: string });
      });
      proc.once('exit', (code) => reject(new Error(`stack exited (${code}):\n${log}`)));
    },
  );
  return {
    grpc: `127.0.0.1:${ready.grpcPort}`,
    http: `127.0.0.1:${ready.httpPort}`,
    pool: ready.poolAddress,
    poolSecret,
    async stop() {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
      if (proc.exitCode === null && proc.signalCode === null) await once(proc, 'exit');
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
