// At claim, the Docker runtime copies the claimant's repository from the store (on the host,
// where the pool manager reads it) into the container's own folder, and the sidecar's restore
// links its workspace from that copy: no git traffic on the bind path, where a clone over the
// store's HTTP cost a negotiation, a pack built and indexed, and a checkout (issue 11).
//
// A copy, never a hard link into the store: the container's uid owns what the pool manager
// gives it (it must, to hard-link the files into its workspace: fs.protected_hardlinks), and
// an owner can chmod and write a file, which through a link would be the store's file. Only
// what a restore reads is copied — objects, refs, packed-refs, shallow, HEAD — never a lock
// file, hook or config, and never anything but regular files and folders (no link is
// followed). The store is never written. A user without a repository yet gets an empty one
// (HEAD only): the restore seeds it from the template and pushes it to the store.
import { constants } from 'node:fs';
import { chown, copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isLockFile } from '@warmgate/contract/stale-locks';

export interface CopyOwner {
  readonly uid: number;
  readonly gid: number;
}

export type CopyResult = 'copied' | 'empty';

/** What of a bare repository a restore reads (link-repository.ts). */
const TREES = ['objects', 'refs'];
const FILES = ['HEAD', 'packed-refs', 'shallow'];
const EMPTY_HEAD = 'ref: refs/heads/main\n';

/**
 * Copies the bare repository `source` to `target` (which must not exist). Files vanishing
 * while copying (a repack in the store) make it start over once; a second failure throws.
 */
export async function copyRepository(
  source: string,
  target: string,
  owner?: CopyOwner,
): Promise<CopyResult> {
  for (let attempt = 0; ; attempt++) {
    // Fails (EEXIST) when something is already there: that is never ours to remove.
    await makeDir(target, owner);
    try {
      return await copyInto(source, target, owner);
    } catch (error) {
      await rm(target, { recursive: true, force: true });
      if (attempt > 0 || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

async function copyInto(source: string, target: string, owner?: CopyOwner): Promise<CopyResult> {
  let head: boolean;
  try {
    head = (await readdir(source)).includes('HEAD');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    head = false;
  }
  if (!head) {
    // No repository yet (the store makes one when first asked): an empty one to seed.
    await Promise.all([
      makeDir(join(target, 'objects'), owner),
      makeDir(join(target, 'refs'), owner),
    ]);
    await writeOwned(join(target, 'HEAD'), EMPTY_HEAD, owner);
    return 'empty';
  }
  await Promise.all([
    ...TREES.map((name) => copyTree(join(source, name), join(target, name), owner, true)),
    ...FILES.map((name) =>
      copyFileOwned(join(source, name), join(target, name), owner, name !== 'HEAD'),
    ),
  ]);
  return 'copied';
}

async function copyTree(
  source: string,
  target: string,
  owner: CopyOwner | undefined,
  top = false,
): Promise<void> {
  let entries;
  try {
    entries = await readdir(source, { withFileTypes: true });
  } catch (error) {
    // A repository without loose refs. Deeper, a folder gone is a repack: start over.
    if (top && (error as NodeJS.ErrnoException).code === 'ENOENT') return makeDir(target, owner);
    throw error;
  }
  await makeDir(target, owner);
  await Promise.all(
    entries.map((entry) => {
      const from = join(source, entry.name);
      const to = join(target, entry.name);
      if (entry.isDirectory()) return copyTree(from, to, owner);
      if (!entry.isFile() || isLockFile(entry.name)) return undefined;
      return copyFileOwned(from, to, owner, false);
    }),
  );
}

async function makeDir(path: string, owner?: CopyOwner): Promise<void> {
  await mkdir(path, { mode: 0o755 });
  if (owner) await chown(path, owner.uid, owner.gid);
}

async function copyFileOwned(
  from: string,
  to: string,
  owner: CopyOwner | undefined,
  optional: boolean,
): Promise<void> {
  try {
    // Never over an existing file; a copy-on-write clone where the file system has one.
    await copyFile(from, to, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
  } catch (error) {
    if (optional && (error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (owner) await chown(to, owner.uid, owner.gid);
}

async function writeOwned(path: string, text: string, owner?: CopyOwner): Promise<void> {
  await writeFile(path, text, { flag: 'wx', mode: 0o644 });
  if (owner) await chown(path, owner.uid, owner.gid);
}
