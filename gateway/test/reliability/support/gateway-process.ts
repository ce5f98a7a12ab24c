// One compiled gateway (gateway/dist/main.js) in its own process on ephemeral loopback ports,
// for tests that must kill, restart or measure it. Needs a fresh build (`npx tsc -b`).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { TEST_POOL_SECRET } from '../../../../pool-manager/test/support.js';
import { testAudience, testIssuer, testSecret } from '../../support/tokens.js';

export const gatewayEntry = fileURLToPath(new URL('../../../dist/main.js', import.meta.url));

export interface GatewayProcess {
  readonly baseUrl: string;
  readonly httpPort: number;
  readonly grpcAddress: string;
  readonly pid: number;
  /** Resident set size in bytes (from /proc). */
  rss(): number;
  /** True when the process is alive and /healthz answers 200. */
  healthy(): Promise<boolean>;
  output(): string;
  /** SIGKILL, no drain. */
  kill9(): Promise<void>;
  /** SIGTERM (drain), SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/** The gateway's environment for tests: HS256 JWTs with the shared test secret, direct mode on. */
export function gatewayEnv(poolAddress: string, env: Record<string, string> = {}) {
  return {
    WARMGATE_HOST: '127.0.0.1',
    WARMGATE_HTTP_PORT: '0',
    WARMGATE_GRPC_PORT: '0',
    WARMGATE_POOL_ADDRESS: poolAddress,
    WARMGATE_POOL_SECRET: TEST_POOL_SECRET,
    WARMGATE_AUTH_HS256_SECRET: testSecret,
    WARMGATE_AUTH_ISSUER: testIssuer,
    WARMGATE_AUTH_AUDIENCE: testAudience,
    WARMGATE_AUTH_DIRECT: 'true',
    WARMGATE_LLM_BASE_URL: '',
    WARMGATE_TOOL_TIMEOUT_MS: '5000',
    WARMGATE_DRAIN_TIMEOUT_S: '1',
    // Many requests and turns per user in seconds, and anonymous chat through a scripted
    // ("paid") model; admission is tested on its own (gateway/test/security/, test/llm/).
    WARMGATE_PUBLIC_CHAT: 'true',
    WARMGATE_RATE_REQUESTS_PER_S: '100000',
    WARMGATE_RATE_REQUESTS_BURST: '100000',
    WARMGATE_RATE_TURNS_PER_MIN: '100000',
    WARMGATE_RATE_TURNS_BURST: '100000',
    ...env,
  };
}

export async function spawnGateway(
  poolAddress: string,
  env: Record<string, string> = {},
): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [gatewayEntry], {
    env: { ...process.env, ...gatewayEnv(poolAddress, env) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const ready = await new Promise<{ httpPort: number; grpcPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway not ready in 20 s:\n${log}`));
    }, 20_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      log += `${line}\n`;
      if (!line.includes('"ready":true')) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as { httpPort: number; grpcPort: number });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${code}) before ready:\n${log}`));
    });
  });
  const baseUrl = `http://127.0.0.1:${ready.httpPort}`;
  return {
    baseUrl,
    httpPort: ready.httpPort,
    grpcAddress: `127.0.0.1:${ready.grpcPort}`,
    pid: child.pid!,
    rss: () => rssOf(child.pid!),
    async healthy() {
      if (!alive()) return false;
      const response = await fetch(`${baseUrl}/healthz`).catch(() => undefined);
      return response?.status === 200;
    },
    output: () => log,
    async kill9() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (alive()) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}
