// One compiled gateway (gateway/dist/main.js) in its own process on ephemeral loopback ports,
// for tests that must kill, restart or measure it. Needs a fresh build (`npx tsc -b`).
import { readFileSync } from 'node:fs';
import { entries, spawnEntry } from '@warmgate/testkit';
import { testGatewayEnv } from '../../support/test-gateway.js';

export const gatewayEntry = entries.gateway;

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
  return testGatewayEnv(poolAddress, {
    WARMGATE_AUTH_DIRECT: 'true',
    WARMGATE_LLM_BASE_URL: '',
    WARMGATE_TOOL_TIMEOUT_MS: '5000',
    ...env,
  });
}

export async function spawnGateway(
  poolAddress: string,
  env: Record<string, string> = {},
): Promise<GatewayProcess> {
  const gateway = await spawnEntry<{ httpPort: number; grpcPort: number }>(gatewayEntry, {
    name: 'gateway',
    env: gatewayEnv(poolAddress, env),
    readyTimeoutMs: 20_000,
  });
  const ready = gateway.ready;
  const baseUrl = `http://127.0.0.1:${ready.httpPort}`;
  return {
    baseUrl,
    httpPort: ready.httpPort,
    grpcAddress: `127.0.0.1:${ready.grpcPort}`,
    pid: gateway.pid,
    rss: () => rssOf(gateway.pid),
    async healthy() {
      if (!gateway.alive()) return false;
      const response = await fetch(`${baseUrl}/healthz`).catch(() => undefined);
      return response?.status === 200;
    },
    output: gateway.output,
    async kill9() {
      await gateway.kill('SIGKILL');
    },
    async stop() {
      await gateway.stop(5_000);
    },
  };
}

export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}
