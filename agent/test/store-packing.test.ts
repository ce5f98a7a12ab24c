// The embedded store keeps each push as the one pack it arrived as (receive.unpackLimit=1),
// folds piled-up packs with receive-pack's own gc inside the push, and a bind links those few
// files: against real git, a real store folder and the agent's own commit + push.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { repoUrlFor } from '@warmgate/contract';
import { PUSH_SETTINGS } from '../src/git/git.js';
import { restoreWorkspace } from '../src/workspace/restore.js';
import { createTemplateRepo, type TemplateRepo } from '../src/workspace/template-repo.js';
import { Workspace } from '../src/workspace/workspace.js';

const run = promisify(execFile);
const git = async (cwd: string, ...args: string[]) =>
  (await run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd })).stdout;
let root: string;
let store: string;
let template: TemplateRepo;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'warmgate-store-packing-'));
  store = join(root, 'store');
  await mkdir(store);
  template = await createTemplateRepo(root);
});
afterAll(async () => {
  await template.remove();
  await rm(root, { recursive: true, force: true });
});

/** Binds `user` into a fresh workspace folder and opens it as the agent does. */
async function bind(user: string, name: string): Promise<{ dir: string; ws: Workspace }> {
  const dir = join(root, name);
  await mkdir(dir);
  const url = repoUrlFor(store, user);
  await restoreWorkspace({ url, ephemeral: false }, dir, template.path);
  const ws = new Workspace({ dir, userId: user, repository: { url, ephemeral: false } });
  await ws.open();
  return { dir, ws };
}

/** Every file under `dir` with its content hash and inode: what "unchanged" means. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const hash = createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
    files.set(relative(dir, path), `${hash} ${(await stat(path)).ino}`);
  }
  return files;
}

const looseCount = async (bare: string) =>
  Number(/^count: (\d+)$/m.exec(await git(bare, 'count-objects', '-v'))![1]);
const packs = async (bare: string) =>
  (await readdir(join(bare, 'objects', 'pack'))).filter((name) => name.endsWith('.pack'));

it('keeps each push one pack, and a later bind reads exactly the pushed files from it', async () => {
  const bare = join(store, 'packer.git');
  const first = await bind('packer', 'ws-packer-1');
  const loose = await looseCount(bare); // the template's objects, linked when the user was made
  for (let i = 0; i < 3; i++) {
    await first.ws.mutate(`turn ${i}`, (changes) => {
      changes.write(`notes/turn-${i}.md`, `turn ${i}\n`.repeat(500));
      changes.write('indicators/latest.json', JSON.stringify({ i }));
    });
  }
  expect(await looseCount(bare)).toBe(loose); // nothing unpacked
  expect(await packs(bare)).toHaveLength(3); // one per push
  await git(bare, 'fsck', '--no-progress');

  const second = await bind('packer', 'ws-packer-2');
  expect(await git(second.dir, 'status', '--porcelain')).toBe('');
  await git(second.dir, 'fsck', '--no-progress');
  expect(await git(second.dir, 'rev-parse', 'HEAD')).toBe(await git(bare, 'rev-parse', 'HEAD'));
  for (const path of ['notes/turn-0.md', 'notes/turn-2.md', 'indicators/latest.json']) {
    expect(await readFile(join(second.dir, path), 'utf8')).toBe(
      await git(bare, 'show', `HEAD:${path}`),
    );
  }
  // The pushed objects came as packs: the workspace links them, no fan-out folder per object.
  const linked = await readdir(join(second.dir, '.git', 'objects', 'pack'));
  expect(linked.filter((name) => name.endsWith('.pack'))).toHaveLength(3);

  // A push after that bind works and lands as one more pack.
  await second.ws.mutate('after the second bind', (changes) =>
    changes.write('notes/after.md', 'after\n'),
  );
  expect(await git(bare, 'show', 'HEAD:notes/after.md')).toBe('after\n');
  expect(await packs(bare)).toHaveLength(4);
  await git(bare, 'fsck', '--no-progress');
});

it("folds piled-up packs inside a push; a bound workspace's links keep their data", async () => {
  const bare = join(store, 'folder.git');
  const first = await bind('folder', 'ws-folder-1');
  // gc.autoPackLimit is 50 in production; 3 here so the fourth push folds them.
  await git(bare, 'config', 'gc.autoPackLimit', '3');
  await first.ws.mutate('one', (changes) => changes.write('notes/one.md', 'one\n'));
  const second = await bind('folder', 'ws-folder-2');
  for (const name of ['two', 'three', 'four']) {
    await second.ws.mutate(name, (changes) => changes.write(`notes/${name}.md`, `${name}\n`));
  }
  // The fourth push ran gc --auto before it returned (not detached): already folded.
  expect((await packs(bare)).length).toBeLessThanOrEqual(2);
  await git(bare, 'fsck', '--no-progress');
  // The first workspace linked packs the store has since unlinked: its objects are intact.
  await git(first.dir, 'fsck', '--no-progress');
  const third = await bind('folder', 'ws-folder-3');
  expect(await readFile(join(third.dir, 'notes', 'four.md'), 'utf8')).toBe('four\n');
  expect(await readFile(join(third.dir, 'notes', 'one.md'), 'utf8')).toBe('one\n');
  expect(await git(third.dir, 'status', '--porcelain')).toBe('');
});

it('nothing a workspace does with git changes a file of the store it was linked from', async () => {
  const bare = join(store, 'immutable.git');
  const first = await bind('immutable', 'ws-immutable-1');
  await first.ws.mutate('seed', (changes) => changes.write('notes/seed.md', 'seed\n'.repeat(100)));
  const { dir } = await bind('immutable', 'ws-immutable-2');
  const before = await snapshot(join(bare, 'objects'));
  // Everything git does in a working copy that touches its objects: new objects, a commit, a
  // full repack that rewrites every pack, and a prune that unlinks what the repack replaced.
  await git(dir, 'commit', '-q', '--allow-empty', '-m', 'local only');
  await git(dir, 'repack', '-a', '-d', '-f', '-q');
  await git(dir, 'gc', '-q', '--aggressive', '--prune=now');
  await git(dir, 'fsck', '--no-progress');
  expect(await snapshot(join(bare, 'objects'))).toEqual(before);
  await git(bare, 'fsck', '--no-progress');
});

it('reads objects a workspace pushed uncompressed as they are, and refuses them damaged', async () => {
  const work = join(root, 'work-stored');
  await git(root, 'init', '-q', '-b', 'main', work);
  await mkdir(join(work, 'notes'));
  // Past 64 KiB: level 0 writes it as several stored blocks.
  const big = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'y'.repeat(i % 50)}`).join('\n');
  await writeFile(join(work, 'notes', 'big.md'), big);
  await writeFile(join(work, 'notes', 'small.md'), 'small\n');
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', 'stored');
  const bare = join(store, 'stored.git');
  await git(root, 'init', '-q', '--bare', '-b', 'main', bare);
  await git(bare, 'config', 'receive.unpackLimit', '1');
  await git(work, ...PUSH_SETTINGS, 'push', '-q', bare, 'main');
  const { dir } = await bind('stored', 'ws-stored');
  expect(await readFile(join(dir, 'notes', 'big.md'), 'utf8')).toBe(big);
  expect(await git(dir, 'status', '--porcelain')).toBe('');

  // One byte of big.md's stored bytes changed in the store's pack: the bind fails, loudly.
  const blob = (await git(work, 'rev-parse', 'HEAD:notes/big.md')).trim();
  const [pack] = await packs(bare);
  const packPath = join(bare, 'objects', 'pack', pack!);
  const listing = await git(root, 'verify-pack', '-v', packPath.replace(/\.pack$/, '.idx'));
  const row = listing
    .split('\n')
    .find((line) => line.startsWith(blob))!
    .split(/\s+/);
  const at = Number(row[4]) + Math.floor(Number(row[3]) / 2); // inside its stored bytes
  const bytes = await readFile(packPath);
  bytes[at] = bytes[at]! ^ 0x01;
  await chmod(packPath, 0o644);
  await writeFile(packPath, bytes);
  const damaged = join(root, 'ws-stored-damaged');
  await mkdir(damaged);
  await expect(
    restoreWorkspace(
      { url: repoUrlFor(store, 'stored'), ephemeral: false },
      damaged,
      template.path,
    ),
  ).rejects.toThrow(/fails its CRC/);
});
