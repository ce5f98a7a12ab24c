// Bind's restore against repositories git itself made: packed with deltas, loose objects,
// nested folders, an executable file, a symlink — the working tree must be exactly HEAD.
import { execFile } from 'node:child_process';
import {
  chmod,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { repoUrlFor } from '@warmgate/contract';
import { restoreWorkspace } from '../src/workspace/restore.js';
import { createTemplateRepo, type TemplateRepo } from '../src/workspace/template-repo.js';
import { Workspace } from '../src/workspace/workspace.js';

const run = promisify(execFile);
const git = (cwd: string, ...args: string[]) =>
  run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd });
let root: string;
let template: TemplateRepo;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'warmgate-restore-'));
  template = await createTemplateRepo(root);
});
afterAll(async () => {
  await template.remove();
  await rm(root, { recursive: true, force: true });
});

async function makeStoreRepo(user: string, gc: boolean): Promise<string> {
  const work = join(root, `work-${user}`);
  await mkdir(join(work, 'a/b/c'), { recursive: true });
  await git(root, 'init', '-q', '-b', 'main', work);
  let log = '';
  for (let i = 0; i < 30; i++) {
    log += `line ${i} ${'x'.repeat(200)}\n`;
    await writeFile(join(work, 'conversation.jsonl'), log);
    await writeFile(join(work, 'a/b/c/deep.json'), JSON.stringify({ i }));
    await git(work, 'add', '-A');
    await git(work, 'commit', '-q', '-m', `turn ${i}`);
  }
  await writeFile(join(work, 'run.sh'), '#!/bin/sh\necho hi\n');
  await chmod(join(work, 'run.sh'), 0o755);
  await symlink('a/b/c/deep.json', join(work, 'link'));
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', 'exec and link');
  const bare = join(root, 'store', `${user}.git`);
  await git(root, 'clone', '-q', '--bare', work, bare);
  if (gc) await git(bare, 'gc', '-q', '--aggressive', '--prune=now');
  return work;
}

for (const gc of [true, false]) {
  it(`restores exactly HEAD from a ${gc ? 'packed (deltas)' : 'freshly cloned'} store`, async () => {
    const user = gc ? 'packed' : 'plain';
    const work = await makeStoreRepo(user, gc);
    const workspace = join(root, `ws-${user}`);
    await mkdir(workspace);
    const url = repoUrlFor(join(root, 'store'), user);
    const restored = await restoreWorkspace({ url, ephemeral: false }, workspace, template.path);
    expect(restored.created).toBe(false);
    const { stdout: head } = await git(work, 'rev-parse', 'HEAD');
    expect(restored.head).toBe(head.trim());
    expect(await readFile(join(workspace, 'conversation.jsonl'), 'utf8')).toBe(
      await readFile(join(work, 'conversation.jsonl'), 'utf8'),
    );
    expect((await stat(join(workspace, 'run.sh'))).mode & 0o777).toBe(0o755);
    expect(await readlink(join(workspace, 'link'))).toBe('a/b/c/deep.json');
    const ws = new Workspace({
      dir: workspace,
      userId: user,
      repository: { url, ephemeral: false },
    });
    await ws.open();
    await ws.ready();
    const { stdout: status } = await git(workspace, 'status', '--porcelain');
    expect(status).toBe('');
    await git(workspace, 'fsck', '--no-progress');
  });
}

it('refuses a repository whose symlink leads out of the workspace', async () => {
  const work = join(root, 'work-escape');
  await git(root, 'init', '-q', '-b', 'main', work);
  await symlink('/etc', join(work, 'indicators'));
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', 'escape');
  await git(root, 'clone', '-q', '--bare', work, join(root, 'store', 'escape.git'));
  const workspace = join(root, 'ws-escape');
  await mkdir(workspace);
  const url = repoUrlFor(join(root, 'store'), 'escape');
  await expect(
    restoreWorkspace({ url, ephemeral: false }, workspace, template.path),
  ).rejects.toThrow(/outside the workspace/);
});

it('a push killed mid-way left lock files in the store: the next bind removes them, and its writes are pushed', async () => {
  await makeStoreRepo('killed', false);
  const bare = join(root, 'store', 'killed.git');
  // What a `git receive-pack` killed between taking and renaming its locks leaves behind.
  const { stdout: branch } = await git(bare, 'symbolic-ref', '--short', 'HEAD');
  for (const lock of [`refs/heads/${branch.trim()}.lock`, 'packed-refs.lock', 'HEAD.lock']) {
    await writeFile(join(bare, lock), '');
  }
  const workspace = join(root, 'ws-killed');
  await mkdir(workspace);
  const url = repoUrlFor(join(root, 'store'), 'killed');
  const seen: string[] = [];
  await restoreWorkspace({ url, ephemeral: false }, workspace, template.path, {
    onStaleLocks: (paths) => seen.push(...paths),
  });
  expect(seen).toEqual(['HEAD.lock', 'packed-refs.lock', `refs/heads/${branch.trim()}.lock`]);
  const ws = new Workspace({
    dir: workspace,
    userId: 'killed',
    repository: { url, ephemeral: false },
  });
  await ws.open();
  const { commit } = await ws.mutate('after the kill', (changes) =>
    changes.write('indicators/after.json', '{}'),
  );
  const { stdout: stored } = await git(bare, 'rev-parse', branch.trim());
  expect(stored.trim()).toBe(commit);
});

it('never copies a lock file into a workspace', async () => {
  await makeStoreRepo('locked', false);
  const bare = join(root, 'store', 'locked.git');
  await writeFile(join(bare, 'refs', 'heads', 'other.lock'), '');
  const workspace = join(root, 'ws-locked');
  await mkdir(workspace);
  const url = repoUrlFor(join(root, 'store'), 'locked');
  await restoreWorkspace({ url, ephemeral: false }, workspace, template.path);
  await expect(stat(join(workspace, '.git', 'refs', 'heads', 'other.lock'))).rejects.toThrow();
});

it("restores from the runtime's copy of the repository without fetching the store's URL", async () => {
  const work = await makeStoreRepo('copied', true);
  // What the Docker runtime puts in the container's folder at claim: a copy of the bare
  // repository (its config too, here: the restore writes its own over it). The URL (where
  // pushes go) has nobody listening: nothing may be fetched.
  const box = join(root, 'box-copied');
  await mkdir(box);
  const copyPath = join(box, 'repository.git');
  await run('cp', ['-r', join(root, 'store', 'copied.git'), copyPath]);
  const url = 'http://127.0.0.1:1/b/binding-1/copied.git';
  const workspace = join(box, 'workspace');
  await mkdir(workspace);
  const restored = await restoreWorkspace(
    { url, ephemeral: false, copyPath },
    workspace,
    template.path,
  );
  const { stdout: head } = await git(work, 'rev-parse', 'HEAD');
  expect(restored).toEqual({ head: head.trim(), created: false });
  // The copy became the workspace's .git (moved, not linked again).
  await expect(stat(copyPath)).rejects.toThrow(/ENOENT/);
  expect(await readFile(join(workspace, '.git', 'config'), 'utf8')).toMatch(/bare = false/);
  expect(await readFile(join(workspace, 'conversation.jsonl'), 'utf8')).toBe(
    await readFile(join(work, 'conversation.jsonl'), 'utf8'),
  );
  const { stdout: status } = await git(workspace, 'status', '--porcelain');
  expect(status).toBe('');
  await git(workspace, 'fsck', '--no-progress');
});

it('refuses a copy inside the workspace, or one holding no repository', async () => {
  const workspace = join(root, 'ws-bad-copy');
  await mkdir(workspace);
  const url = 'http://127.0.0.1:1/b/binding-1/bad.git';
  const restore = (copyPath: string) =>
    restoreWorkspace({ url, ephemeral: false, copyPath }, workspace, template.path);
  await expect(restore(join(workspace, '.git'))).rejects.toThrow(/outside the workspace/);
  await expect(restore('relative/repository.git')).rejects.toThrow(/outside the workspace/);
  await expect(restore(join(root, 'no-such-copy.git'))).rejects.toThrow(/holds no repository/);
});
