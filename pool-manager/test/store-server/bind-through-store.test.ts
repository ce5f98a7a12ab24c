// The Kubernetes store path end to end, with the real agent: the sidecar binds a warm
// container by cloning from the repo store over HTTP with a per-bind credential, seeds a
// first-time user from the template and pushes; drain pushes the last changes; the next
// binding of that user (another container, another credential) gets them back.
// Needs agent/dist (npx tsc -b).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { safeUserName } from '@warmgate/contract';
import { AuthMode, WarmgateError } from '@warmgate/proto';
import { startAgentContainer } from '@warmgate/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStoreServer, mintRepoCredential, repoUrl } from '../../src/store-server/index.js';

const exec = promisify(execFile);
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

/** A warm container: agent + sidecar over one empty workspace, as in a pod. */
async function warmContainer(name: string) {
  const workspace = join(dir, name);
  await mkdir(workspace);
  const container = await startAgentContainer({
    workspace,
    env: { HOME: dir, GIT_CONFIG_NOSYSTEM: '1' },
    sidecarSecret: `sidecar-${name}-0123456789abcdef`,
  });
  stops.push(container.stop);
  return { workspace, lifecycle: container.lifecycle };
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
