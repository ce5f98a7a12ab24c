// The Kubernetes repo store for real: git clone and push over smart HTTP on loopback, with
// the per-bind credentials the pool manager mints.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStoreServer, mintRepoCredential, repoUrl } from '../../src/store-server/index.js';

const exec = promisify(execFile);
const secret = 'store-secret-for-tests-0123456789abcdef';

let dir: string;
let server: Server;
let base: string;
let now = Date.now();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warmgate-store-'));
  server = createStoreServer({ root: join(dir, 'repos'), secret, now: () => now });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

// git says "could not read Username" when the server answers 401 and prompts are off.
const REFUSED = /could not read Username|401|Authentication failed/;

const credential = (userId: string, bindingId: string, ttlMs = 60_000) =>
  mintRepoCredential({ secret, userId, bindingId, ttlMs, now });

/** git as the sidecar runs it: the credential in http.extraHeader, never in a file. */
function git(args: string[], token: string | undefined, cwd?: string) {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@example.invalid',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@example.invalid',
  };
  if (token !== undefined) {
    Object.assign(env, {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: Bearer ${token}`,
    });
  }
  return exec('git', args, { env, ...(cwd === undefined ? {} : { cwd }) });
}

describe('repo store server', () => {
  it('lets a binding clone its user’s (new, empty) repository, push, and a later binding read it', async () => {
    const first = credential('alice@example.com', 'bind-1');
    const work = join(dir, 'alice-1');
    await git(['clone', '-q', repoUrl(base, 'alice@example.com', 'bind-1'), work], first);
    await writeFile(join(work, 'profile.json'), '{"risk":"low"}\n');
    await git(['add', '-A'], undefined, work);
    await git(['commit', '-q', '-m', 'profile'], undefined, work);
    await git(['push', '-q', 'origin', 'HEAD:refs/heads/main'], first, work);

    const second = credential('alice@example.com', 'bind-2');
    const again = join(dir, 'alice-2');
    await git(['clone', '-q', repoUrl(base, 'alice@example.com', 'bind-2'), again], second);
    expect(await readFile(join(again, 'profile.json'), 'utf8')).toBe('{"risk":"low"}\n');
  });

  it('removes the locks a store killed mid-push left behind, at the next binding’s first request', async () => {
    const first = credential('carol', 'bind-c1');
    const work = join(dir, 'carol-1');
    await git(['clone', '-q', repoUrl(base, 'carol', 'bind-c1'), work], first);
    await writeFile(join(work, 'a.md'), 'one\n');
    await git(['add', '-A'], undefined, work);
    await git(['commit', '-q', '-m', 'one'], undefined, work);
    await git(['push', '-q', 'origin', 'HEAD:refs/heads/main'], first, work);
    // What the store's `git receive-pack`, killed with the store between taking and renaming
    // its locks, leaves in the bare repository.
    const bare = join(dir, 'repos', 'carol.git');
    const locks = ['refs/heads/main.lock', 'packed-refs.lock', 'HEAD.lock'];
    for (const lock of locks) await writeFile(join(bare, lock), '');

    const second = credential('carol', 'bind-c2');
    const again = join(dir, 'carol-2');
    await git(['clone', '-q', repoUrl(base, 'carol', 'bind-c2'), again], second);
    for (const lock of locks) await expect(stat(join(bare, lock))).rejects.toThrow(/ENOENT/);
    await writeFile(join(again, 'a.md'), 'two\n');
    await git(['commit', '-q', '-am', 'two'], undefined, again);
    await git(['push', '-q', 'origin', 'HEAD:refs/heads/main'], second, again);
    const { stdout } = await exec('git', ['--git-dir', bare, 'show', 'main:a.md']);
    expect(stdout).toBe('two\n');
  });

  it('refuses another user’s repository, and creates nothing for the attempt', async () => {
    const alice = credential('alice@example.com', 'bind-3');
    await expect(
      git(['clone', '-q', repoUrl(base, 'bob', 'bind-3'), join(dir, 'steal')], alice),
    ).rejects.toThrow(/403/);
    expect(await readdir(join(dir, 'repos'))).not.toContain('bob.git');
  });

  it('refuses a credential replayed under another binding', async () => {
    const old = credential('alice@example.com', 'bind-old');
    await expect(
      git(
        ['clone', '-q', repoUrl(base, 'alice@example.com', 'bind-new'), join(dir, 'replay')],
        old,
      ),
    ).rejects.toThrow(/403/);
  });

  it('refuses an expired credential, a forged one, and none at all', async () => {
    const url = repoUrl(base, 'alice@example.com', 'bind-4');
    const expiring = credential('alice@example.com', 'bind-4', 1_000);
    now += 1_000;
    try {
      await expect(git(['ls-remote', url], expiring)).rejects.toThrow(REFUSED);
    } finally {
      now -= 1_000;
    }
    const forged = mintRepoCredential({
      secret: 'not-the-store-secret-0123456789abcdef',
      userId: 'alice@example.com',
      bindingId: 'bind-4',
      ttlMs: 60_000,
      now,
    });
    await expect(git(['ls-remote', url], forged)).rejects.toThrow(REFUSED);
    await expect(git(['ls-remote', url], undefined)).rejects.toThrow(REFUSED);
  });

  it('answers 404 outside the repository paths and ok on /healthz', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/alice.git/info/refs`)).status).toBe(404);
  });
});
