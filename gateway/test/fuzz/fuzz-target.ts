// The gateway under fuzz: the compiled gateway (gateway/dist/main.js) in its own process, so
// "the process survives" and "memory stays bounded" are about a real server process, in front
// of a real Pool gRPC service and a real MCP agent (the upstream test fixtures) running in
// the test process. User "alice" is bound to the agent; the gateway verifies HS256 JWTs and
// accepts direct-mode JWEs. Needs a fresh build (`npx tsc -b`).
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startAgentFixture, type AgentFixture } from '../upstream/mcp-agent-fixture.js';
import { binding, startPoolFixture, type PoolFixture } from '../upstream/pool-fixture.js';
import { testAudience, testIssuer, testSecret } from '../support/tokens.js';

export const gatewayEntry = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface FuzzTarget {
  readonly baseUrl: string;
  readonly httpPort: number;
  readonly grpcAddress: string;
  readonly pid: number;
  readonly agent: AgentFixture;
  /** Resident set size of the gateway process, in bytes (from /proc). */
  rss(): number;
  /** True when /healthz answers 200 and the process is alive. */
  healthy(): Promise<boolean>;
  output(): string;
  close(): Promise<void>;
}

export async function startFuzzTarget(env: Record<string, string> = {}): Promise<FuzzTarget> {
  const pool: PoolFixture = await startPoolFixture();
  const key = randomBytes(32);
  const agent = await startAgentFixture({
    userId: 'alice',
    bindingId: 'b-alice',
    assertionKey: key,
  });
  pool.bindings.set('alice', () => binding('alice', 'b-alice', agent.url, key));
  let child: ChildProcess | undefined;
  try {
    child = spawn(process.execPath, [gatewayEntry], {
      env: {
        ...process.env,
        WARMGATE_HOST: '127.0.0.1',
        WARMGATE_HTTP_PORT: '0',
        WARMGATE_GRPC_PORT: '0',
        WARMGATE_POOL_ADDRESS: pool.address,
        WARMGATE_AUTH_HS256_SECRET: testSecret,
        WARMGATE_AUTH_ISSUER: testIssuer,
        WARMGATE_AUTH_AUDIENCE: testAudience,
        WARMGATE_AUTH_DIRECT: 'true',
        WARMGATE_LLM_BASE_URL: '',
        WARMGATE_TOOL_TIMEOUT_MS: '5000',
        WARMGATE_DRAIN_TIMEOUT_S: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = child;
    let log = '';
    started.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const exited = new Promise<void>((resolve) => started.once('exit', () => resolve()));
    const ready = await readyLine(started, () => log);
    return {
      baseUrl: `http://127.0.0.1:${ready.httpPort}`,
      httpPort: ready.httpPort,
      grpcAddress: `127.0.0.1:${ready.grpcPort}`,
      pid: started.pid!,
      agent,
      rss: () => rssOf(started.pid!),
      async healthy() {
        if (started.exitCode !== null || started.signalCode !== null) return false;
        const response = await fetch(`http://127.0.0.1:${ready.httpPort}/healthz`).catch(
          () => undefined,
        );
        return response?.status === 200;
      },
      output: () => log,
      async close() {
        if (started.exitCode === null && started.signalCode === null) started.kill('SIGTERM');
        const timer = setTimeout(() => started.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
        await agent.close();
        await pool.close();
      },
    };
  } catch (error) {
    child?.kill('SIGKILL');
    await agent.close();
    await pool.close();
    throw error;
  }
}

function readyLine(child: ChildProcess, log: () => string) {
  return new Promise<{ httpPort: number; grpcPort: number }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`gateway not ready in 20 s:\n${log()}`)),
      20_000,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.includes('"ready":true')) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as { httpPort: number; grpcPort: number });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${code}) before ready:\n${log()}`));
    });
  });
}

export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}
