// Helpers for the integration tests: a throw-away state dir + repo store, a Pool client,
// the pool manager as a child process, and a /proc scan that finds every container process
// a test started (so "nothing orphaned" is checked, not assumed).
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ASSERTION_HEADER, signAssertion } from '@warmgate/contract';
import { agentv1, poolv1 } from '@warmgate/proto';
import { bearerHeaders, createClient } from '@warmgate/proto/grpc';
import { expect } from 'vitest';
import {
  loadConfig,
  startPoolManager,
  type PoolManagerConfig,
  type RunningPoolManager,
} from '../src/index.js';

export const mainEntry = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** The Pool deployment secret of every test pool manager (WARMGATE_POOL_SECRET). */
export const TEST_POOL_SECRET = 'test-pool-secret-0123456789abcdef-0123456789';

export interface Sandbox {
  dir: string;
  stateDir: string;
  storeDir: string;
  env: Record<string, string>;
  config(overrides?: Record<string, string>): PoolManagerConfig;
  cleanup(): void;
}

/** A fresh state dir and store; `env` is the pool manager's environment for them. */
export function makeSandbox(env: Record<string, string> = {}): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'warmgate-pm-test-'));
  const stateDir = join(dir, 'containers');
  const storeDir = join(dir, 'store');
  mkdirSync(storeDir, { recursive: true });
  const base: Record<string, string> = {
    WARMGATE_POOL_HOST: '127.0.0.1',
    WARMGATE_POOL_PORT: '0',
    WARMGATE_POOL_METRICS_PORT: '0',
    WARMGATE_POOL_STATE_DIR: stateDir,
    WARMGATE_STORE_DIR: storeDir,
    WARMGATE_POOL_PROFILES: 'standard:min=1:max=8',
    WARMGATE_POOL_KILL_GRACE: '1s',
    WARMGATE_POOL_SHUTDOWN_GRACE: '20s',
    WARMGATE_POOL_SECRET: TEST_POOL_SECRET,
    // Lets the suite run against another agent build; the default is agent/dist/main.js.
    ...(process.env.WARMGATE_POOL_AGENT_ENTRY
      ? { WARMGATE_POOL_AGENT_ENTRY: process.env.WARMGATE_POOL_AGENT_ENTRY }
      : {}),
    ...env,
  };
  return {
    dir,
    stateDir,
    storeDir,
    env: base,
    config: (overrides = {}) => loadConfig({ ...base, ...overrides }),
    cleanup() {
      for (const pid of containerPids(dir)) killGroup(pid);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type PoolClient = ReturnType<typeof createClient<typeof poolv1.Pool>>;

export interface TestPool {
  sandbox: Sandbox;
  pool: RunningPoolManager;
  client: PoolClient;
}

/** A pool manager in this process over a fresh sandbox, once `warm` containers are warm. */
export async function startTestPool(env: Record<string, string>, warm = 2): Promise<TestPool> {
  const sandbox = makeSandbox(env);
  const pool = await startPoolManager(sandbox.config());
  const client = poolClient(pool.address);
  await waitFor(`${warm} warm containers`, async () => (await warmCount(client)) >= warm, 40_000);
  return { sandbox, pool, client };
}

/**
 * Closes a test pool and checks that no container process is left; with `noContainerDirs`,
 * that no container folder is left either.
 */
export async function stopTestPool(
  { sandbox, pool, client }: Partial<TestPool>,
  options: { noContainerDirs?: boolean } = {},
): Promise<void> {
  client?.close();
  await pool?.close();
  if (!sandbox) return;
  expect(containerPids(sandbox.dir)).toEqual([]);
  if (options.noContainerDirs) expect(containerDirs(sandbox.stateDir)).toEqual([]);
  sandbox.cleanup();
}

/** A Pool client as the gateway is one: it sends the deployment secret. */
export function poolClient(address: string, secret = TEST_POOL_SECRET): PoolClient {
  return createClient(poolv1.Pool, address, { headers: bearerHeaders(secret) });
}

/** Polls `check` every 50 ms until it returns a truthy value, for at most `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export async function warmCount(client: PoolClient, profile = 'standard'): Promise<number> {
  const { state } = await client.getStatus({});
  return state?.profiles.find((p) => p.profile === profile)?.warm ?? 0;
}

/**
 * Live processes started for containers under `dir` (agent, sidecar and their children):
 * found by the WARMGATE_WORKSPACE_DIR in their environment.
 */
export function containerPids(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.split(') ')[1]?.startsWith('Z')) continue; // exited, awaiting its parent
      if (environ.includes(`WARMGATE_WORKSPACE_DIR=${dir}`)) pids.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}

/**
 * A Lifecycle client of a local container's sidecar, as the pool manager is one: with the
 * container's own secret (its 0600 sidecar.secret file). Close it when done.
 */
export function sidecarClient(stateDir: string, containerId: string) {
  const dir = join(stateDir, containerId);
  const record = JSON.parse(readFileSync(join(dir, 'container.json'), 'utf8')) as {
    sidecar: { port: number };
  };
  const secret = readFileSync(join(dir, 'sidecar.secret'), 'utf8');
  return createClient(agentv1.Lifecycle, `127.0.0.1:${record.sidecar.port}`, {
    headers: bearerHeaders(secret),
  });
}

/** Container folders present in the state dir (not files such as claim-history.json). */
export function containerDirs(stateDir: string): string[] {
  try {
    return readdirSync(stateDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

function killGroup(pid: number) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** A bare repository `<store>/<user>.git` holding `files` (path → content). */
export function seedRepository(storeDir: string, userId: string, files: Record<string, string>) {
  const work = mkdtempSync(join(tmpdir(), 'warmgate-seed-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, stdio: 'ignore' });
  try {
    git('init', '-q', '-b', 'main');
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(work, path, '..'), { recursive: true });
      writeFileSync(join(work, path), content);
    }
    git('add', '-A');
    git(
      '-c',
      'user.name=test',
      '-c',
      'user.email=test@warmgate.local',
      'commit',
      '-q',
      '-m',
      'seed',
    );
    execFileSync('git', ['clone', '-q', '--bare', work, join(storeDir, `${userId}.git`)], {
      stdio: 'ignore',
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A file as committed at HEAD of the user's repository in the store, or undefined. */
export function storedFile(storeDir: string, userId: string, path: string): string | undefined {
  try {
    return execFileSync(
      'git',
      ['--git-dir', join(storeDir, `${userId}.git`), 'show', `HEAD:${path}`],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
  } catch {
    return undefined;
  }
}

export interface PoolManagerProcess {
  child: ChildProcess;
  port: number;
  address: string;
  exited: Promise<number | null>;
  output: () => string;
}

/** Runs `node pool-manager/dist/main.js` and resolves once it prints its ready line. */
export async function spawnPoolManager(env: Record<string, string>): Promise<PoolManagerProcess> {
  const child = spawn(process.execPath, [mainEntry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.includes('"ready":true'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    void exited.then((code) =>
      reject(new Error(`pool manager exited (${code}) before ready:\n${output}`)),
    );
  });
  return { child, port, address: `127.0.0.1:${port}`, exited, output: () => output };
}

/** Calls one MCP tool on a binding's agent, as the gateway would (assertion header). */
export async function callTool(
  binding: poolv1.Binding,
  name: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } =
    await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const token = await signAssertion(binding.assertionKey, {
    userId: binding.userId,
    bindingId: binding.bindingId,
  });
  const transport = new StreamableHTTPClientTransport(new URL(binding.mcpUrl), {
    requestInit: { headers: { [ASSERTION_HEADER]: token } },
  });
  const client = new Client({ name: 'pool-manager-test', version: '0.0.0' });
  await client.connect(transport);
  try {
    const result = await client.callTool({ name, arguments: args });
    if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
    return (result.structuredContent ?? {}) as Record<string, unknown>;
  } finally {
    await client.close();
  }
}

/** The workspace folder of a local container. */
export function workspaceOf(sandbox: Sandbox, containerId: string): string {
  return join(sandbox.stateDir, containerId, 'workspace');
}
