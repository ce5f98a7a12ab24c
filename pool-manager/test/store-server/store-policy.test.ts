// The repo store's receive policy and binding end, with real git pushes over smart HTTP: a
// size quota per repository (a clear refusal), no non-fast-forward push, no deletion, objects
// checked, and a binding's credential refused once the pool manager said the binding ended.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStoreServer,
  mintRepoCredential,
  notifyBindingEnded,
  repoUrl,
} from '../../src/store-server/index.js';

const exec = promisify(execFile);
const secret = 'store-policy-secret-for-tests-0123456789';
const quotaBytes = 512 * 1024;

let dir: string;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warmgate-store-policy-'));
  server = createStoreServer({ root: join(dir, 'repos'), secret, quotaBytes });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

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

/** A clone of `user`'s repository under binding `bindingId`, with one commit pushed. */
async function cloneWithCommit(user: string, bindingId: string) {
  const token = mintRepoCredential({ secret, userId: user, bindingId, ttlMs: 600_000 });
  const work = join(dir, `${user}-${bindingId}`);
  await git(['clone', '-q', repoUrl(base, user, bindingId), work], token);
  await writeFile(join(work, `${bindingId}.txt`), `${bindingId}\n`);
  await git(['add', '-A'], undefined, work);
  await git(['commit', '-q', '-m', 'first'], undefined, work);
  await git(['push', '-q', 'origin', 'HEAD:refs/heads/main'], token, work);
  return { token, work };
}

const stderrOf = (promise: Promise<unknown>) =>
  promise.then(
    () => '',
    (error: { stderr?: string }) => error.stderr ?? String(error),
  );

describe('repo store receive policy', () => {
  it('refuses a push that would take the repository over its quota, saying so', async () => {
    const { token, work } = await cloneWithCommit('quinn', 'b-q1');
    const commit = async (name: string, bytes: number) => {
      // Random bytes do not compress: the pack is as big as the file.
      await writeFile(join(work, name), randomBytes(bytes));
      await git(['add', '-A'], undefined, work);
      await git(['commit', '-q', '-m', name], undefined, work);
    };
    await commit('one.bin', 300 * 1024);
    await git(['push', '-q', 'origin', 'HEAD:refs/heads/main'], token, work);
    // 300 KiB more would make ~600 KiB: over the 512 KiB quota. Refused by the store, in words.
    await commit('two.bin', 300 * 1024);
    const refused = await stderrOf(git(['push', 'origin', 'HEAD:refs/heads/main'], token, work));
    expect(refused).toMatch(/remote: warmgate: push refused: .* over its quota of 524288 bytes/);
    const head = (await git(['rev-parse', 'HEAD'], undefined, work)).stdout.trim();
    const { stdout } = await git(['ls-remote', repoUrl(base, 'quinn', 'b-q1')], token);
    expect(stdout).not.toContain(head);
    // A pack bigger than the whole quota is refused before it is stored (HTTP 413).
    await git(['reset', '-q', '--hard', 'HEAD~1'], undefined, work);
    await commit('huge.bin', 700 * 1024);
    expect(await stderrOf(git(['push', 'origin', 'HEAD:refs/heads/main'], token, work))).toMatch(
      /413/,
    );
    // A small push still goes through: the refused packs left nothing behind.
    await git(['reset', '-q', '--hard', 'HEAD~1'], undefined, work);
    await writeFile(join(work, 'small.txt'), 'small\n');
    await git(['add', '-A'], undefined, work);
    await git(['commit', '-q', '-m', 'small'], undefined, work);
    await git(['push', '-q', 'origin', 'HEAD:refs/heads/main'], token, work);
  });

  it('refuses a non-fast-forward push and a branch deletion', async () => {
    const { token, work } = await cloneWithCommit('nora', 'b-n1');
    await git(['commit', '-q', '--amend', '-m', 'rewritten'], undefined, work);
    const forced = await stderrOf(
      git(['push', '-f', 'origin', 'HEAD:refs/heads/main'], token, work),
    );
    expect(forced).toMatch(/denying non-fast-forward|non-fast-forward/);
    const deleted = await stderrOf(git(['push', 'origin', ':refs/heads/main'], token, work));
    expect(deleted).toMatch(/deletion prohibited|denying ref deletion/);
  });

  it('checks the objects it receives (receive.fsckObjects)', async () => {
    const { token, work } = await cloneWithCommit('fred', 'b-f1');
    // A tree entry named ".git" is what fsck exists to refuse.
    const { stdout: blobId } = await exec(
      'sh',
      ['-c', 'printf evil | git hash-object -w --stdin'],
      { cwd: work },
    );
    const { stdout: treeId } = await exec(
      'sh',
      ['-c', `printf '100644 blob ${blobId.trim()}\\t.git\\n' | git mktree --missing`],
      { cwd: work },
    );
    const { stdout: commitId } = await exec(
      'git',
      [
        '-c',
        'user.name=t',
        '-c',
        'user.email=t@example.invalid',
        'commit-tree',
        treeId.trim(),
        '-p',
        'HEAD',
        '-m',
        'evil',
      ],
      { cwd: work },
    );
    const stderr = await stderrOf(
      git(['push', 'origin', `${commitId.trim()}:refs/heads/main`], token, work),
    );
    expect(stderr).toMatch(/fsck|hasDotgit|dotgit/i);
  });

  it('keeps each push as the one pack it arrived as (no loose object per push)', async () => {
    const { token, work } = await cloneWithCommit('paula', 'b-p1');
    await writeFile(join(work, 'second.txt'), 'second\n');
    await git(['add', '-A'], undefined, work);
    await git(['commit', '-q', '-m', 'second'], undefined, work);
    await git(['push', '-q', 'origin', 'HEAD:refs/heads/main'], token, work);
    const bare = join(dir, 'repos', 'paula.git');
    const { stdout } = await git(['--git-dir', bare, 'count-objects', '-v'], undefined);
    expect(stdout).toMatch(/^count: 0$/m);
    expect(stdout).toMatch(/^packs: 2$/m);
  });

  it("stops a binding's credential once the pool manager says the binding ended", async () => {
    const { token } = await cloneWithCommit('erin', 'b-e1');
    await git(['ls-remote', repoUrl(base, 'erin', 'b-e1')], token);
    await notifyBindingEnded(base, secret, 'b-e1');
    const stderr = await stderrOf(git(['ls-remote', repoUrl(base, 'erin', 'b-e1')], token));
    expect(stderr).toMatch(/could not read Username|401|Authentication failed/);
    // Another binding of the same user is unaffected; a forged "ended" is refused.
    await cloneWithCommit('erin', 'b-e2');
    await expect(
      notifyBindingEnded(base, 'not-the-store-secret-0123456789abcdef', 'b-e2'),
    ).rejects.toThrow(/401/);
  });
});
