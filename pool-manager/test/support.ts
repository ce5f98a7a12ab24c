// Helpers for the pool manager's integration tests on top of @warmgate/testkit (which spawns
// the pool manager, makes the throw-away state dir + repo store, scans /proc for container
// processes so "nothing orphaned" is checked, not assumed): its configuration for a sandbox,
// an in-process test pool, sidecar and MCP clients, seeded repositories.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASSERTION_HEADER, signAssertion } from '@warmgate/contract';
import type { poolv1 } from '@warmgate/proto';
import { agentv1, parseMcpUrl } from '@warmgate/proto';
import { bearerHeaders, createClient } from '@warmgate/proto/grpc';
import {
  containerPids,
  makePoolSandbox,
  makeTempDir,
  poolClient,
  removeDir,
  waitFor,
  warmCount,
  type PoolClient,
  type PoolSandbox,
} from '@warmgate/testkit';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  loadConfig,
  startPoolManager,
  type PoolManagerConfig,
  type RunningPoolManager,
} from '../src/index.js';

export {
  containerPids,
  spawnPoolManager,
  poolClient,
  TEST_POOL_SECRET,
  waitFor,
  warmCount,
  type PoolClient,
  type PoolManagerProcess,
} from '@warmgate/testkit';

export interface Sandbox extends PoolSandbox {
  /** The pool manager's configuration for this sandbox, as loadConfig reads it. */
  config(overrides?: Record<string, string>): PoolManagerConfig;
}

/** A fresh state dir and store (testkit's pool sandbox) with its configuration. */
export function makeSandbox(env: Record<string, string> = {}): Sandbox {
  const sandbox = makePoolSandbox(env);
  return {
    ...sandbox,
    config: (overrides = {}) => loadConfig({ ...sandbox.env, ...overrides }),
  };
}

export interface TestPool {
  sandbox: Sandbox;
  pool: RunningPoolManager;
  client: PoolClient;
}

/**
 * A test file's pool manager: started in this process over a fresh sandbox before its tests
 * (once `warm` containers are warm), stopped and checked after them (see stopTestPool). The
 * fields are set as each part starts, so a start that fails or times out half-way is still
 * closed and its containers killed.
 */
export function useTestPool(
  env: Record<string, string>,
  options: { warm?: number; noContainerDirs?: boolean } = {},
): TestPool {
  const warm = options.warm ?? 2;
  const started: Partial<TestPool> = {};
  beforeAll(async () => {
    started.sandbox = makeSandbox(env);
    started.pool = await startPoolManager(started.sandbox.config());
    const client = (started.client = poolClient(started.pool.address));
    await waitFor(`${warm} warm containers`, async () => (await warmCount(client)) >= warm, 40_000);
  });
  afterAll(() => stopTestPool(started, options.noContainerDirs ? { noContainerDirs: true } : {}));
  return started as TestPool;
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

/** A bare repository `<store>/<user>.git` holding `files` (path → content). */
export function seedRepository(storeDir: string, userId: string, files: Record<string, string>) {
  const work = makeTempDir('seed');
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
    removeDir(work);
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
  // A Docker container answers on a Unix socket (http+unix:// URL).
  const endpoint = parseMcpUrl(binding.mcpUrl);
  const { Agent, fetch: undiciFetch } = await import('undici');
  const dispatcher = endpoint.socketPath
    ? new Agent({ connect: { socketPath: endpoint.socketPath } })
    : undefined;
  const transport = new StreamableHTTPClientTransport(endpoint.url, {
    requestInit: { headers: { [ASSERTION_HEADER]: token } },
    ...(dispatcher
      ? {
          fetch: ((url: string | URL, init?: RequestInit) =>
            undiciFetch(url, {
              ...(init as Parameters<typeof undiciFetch>[1]),
              dispatcher,
            })) as unknown as typeof fetch,
        }
      : {}),
  });
  const client = new Client({ name: 'pool-manager-test', version: '0.0.0' });
  await client.connect(transport);
  try {
    const result = await client.callTool({ name, arguments: args });
    if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
    return (result.structuredContent ?? {}) as Record<string, unknown>;
  } finally {
    await client.close();
    await dispatcher?.close();
  }
}

/** The workspace folder of a local container. */
export function workspaceOf(sandbox: Sandbox, containerId: string): string {
  return join(sandbox.stateDir, containerId, 'workspace');
}
