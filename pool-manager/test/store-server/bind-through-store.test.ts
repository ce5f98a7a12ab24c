// The Kubernetes store path end to end, with the real agent: the sidecar binds a warm
// container by cloning from the repo store over HTTP with a per-bind credential, seeds a
// first-time user from the template and pushes; drain pushes the last changes; the next
// binding of that user (another container, another credential) gets them back.
// Needs agent/dist (npx tsc -b).
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { safeUserName } from '@warmgate/contract';
import { AuthMode, WarmgateError, agentv1 } from '@warmgate/proto';
import { bearerHeaders, createClient } from '@warmgate/proto/grpc';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStoreServer, mintRepoCredential, repoUrl } from '../../src/store-server/index.js';

const exec = promisify(execFile);
const AGENT_MAIN = fileURLToPath(new URL('../../../agent/dist/main.js', import.meta.url));
const secret = 'bind-through-store-secret-0123456789abcdef';

let dir: string;
let server: Server;
let base: string;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warmgate-store-bind-'));
  server = createStoreServer({ root: join(dir, 'repos'), secret });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function start(
  role: 'agent' | 'sidecar',
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [AGENT_MAIN, role], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  stops.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = once(child, 'exit');
      child.kill('SIGTERM');
      await gone;
    }
  });
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout! }), 'line'),
    once(child, 'exit').then(() => {
      throw new Error(`${role} exited before it was ready`);
    }),
  ])) as [string];
  return { child, port: (JSON.parse(line) as { port: number }).port };
}

/** A warm container: agent + sidecar over one empty workspace, as in a pod. */
async function warmContainer(name: string) {
  const workspace = join(dir, name);
  await mkdir(workspace);
  const common = {
    WARMGATE_WORKSPACE_DIR: workspace,
    WARMGATE_AGENT_CONTROL_TOKEN: `control-${name}-0123456789abcdef`,
    WARMGATE_AGENT_HOST: '127.0.0.1',
    HOME: dir,
    GIT_CONFIG_NOSYSTEM: '1',
  };
  const agent = await start('agent', { ...common, WARMGATE_AGENT_PORT: '0' });
  const sidecarSecret = `sidecar-${name}-0123456789abcdef`;
  const sidecar = await start('sidecar', {
    ...common,
    WARMGATE_SIDECAR_SECRET: sidecarSecret,
    WARMGATE_SIDECAR_PORT: '0',
    WARMGATE_AGENT_URL: `http://127.0.0.1:${agent.port}`,
  });
  const lifecycle = createClient(agentv1.Lifecycle, `127.0.0.1:${sidecar.port}`, {
    headers: bearerHeaders(sidecarSecret),
  });
  stops.push(async () => lifecycle.close());
  return { workspace, lifecycle };
}

function bind(userId: string, bindingId: string, credentialFor = { userId, bindingId }) {
  return {
    bindingId,
    userId,
    tier: 'pro',
    mode: AuthMode.GATEWAY,
    assertionKey: new Uint8Array(32).fill(7),
    repository: {
      url: repoUrl(base, userId, bindingId),
      credential: mintRepoCredential({ secret, ...credentialFor, ttlMs: 60_000 }),
      ephemeral: false,
    },
  };
}

it('binds a first-time user from the store, drains into it, and binds the next container from it', async () => {
  const first = await warmContainer('c1');
  const bound = await first.lifecycle.bind(bind('zoe@example.com', 'bind-z1'));
  expect(bound.created).toBe(true);
  const bare = join(dir, 'repos', `${safeUserName('zoe@example.com')}.git`);
  const { stdout: storeHead } = await exec('git', [
    '--git-dir',
    bare,
    'rev-parse',
    'refs/heads/main',
  ]);
  expect(storeHead.trim()).toBe(bound.headCommit);

  const drained = await first.lifecycle.drain({ bindingId: 'bind-z1' });
  expect(drained.headCommit).toBe(bound.headCommit);

  const second = await warmContainer('c2');
  const again = await second.lifecycle.bind(bind('zoe@example.com', 'bind-z2'));
  expect(again.created).toBe(false);
  expect(again.headCommit).toBe(bound.headCommit);
}, 60_000);

it('refuses a bind whose credential was minted for another binding, and leaves the workspace empty', async () => {
  const c = await warmContainer('c3');
  const replayed = bind('zoe@example.com', 'bind-z3', {
    userId: 'zoe@example.com',
    bindingId: 'bind-z1',
  });
  const error = await c.lifecycle.bind(replayed).then(
    () => undefined,
    (e: unknown) => WarmgateError.from(e),
  );
  // The store's 403 reaches the pool manager in the sidecar's error.
  expect(error?.message).toMatch(/403/);
  expect(await readdir(c.workspace)).toEqual([]);
}, 60_000);
