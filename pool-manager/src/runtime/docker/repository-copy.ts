// At claim, the Docker runtime puts the claimant's repository from the store (on the host,
// where the pool manager reads it) into the container's own folder, and the sidecar's restore
// moves it into place as the workspace's `.git` (one rename) and checks out: no git traffic on
// the bind path, where a clone over the store's HTTP cost a negotiation, a pack built and
// indexed, and a checkout (issue 11).
//
// What is put there: objects, refs, packed-refs, shallow, HEAD — never a lock file, hook or
// config, and never anything but regular files and folders (no link is followed). The store
// is never written. Folders and ref files are the container's (its uid owns them: git there
// adds objects and moves refs). An object file is a hard link to the store's only when the
// container cannot write it: it is owned by another uid than the container's, and neither its
// group (when the container's) nor others may write it; without CAP_FOWNER (every capability
// is dropped) the container can then neither chmod nor write it, and the store's file stays
// as it is whatever runs inside (pool-manager/test/docker/docker-runtime.test.ts tries).
// Otherwise — the pool manager not root, so the container runs as the store's owner; another
// file system — the file is copied. Git never changes an object file once written (new objects
// are new files, a repack writes new packs and unlinks old ones), so a link neither lets the
// store change the workspace nor makes the workspace depend on the store. A user without a
// repository yet gets an empty one (HEAD only): the restore seeds it from the template and
// pushes it to the store.
import { constants } from 'node:fs';
import { chown, copyFile, link, lstat, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isLockFile } from '@warmgate/contract/stale-locks';

/** The uid and gid the container runs as, when they are not the pool manager's own. */
export interface CopyOwner {
  readonly uid: number;
  readonly gid: number;
}

export interface CopyResult {
  /** `empty`: the store has no repository for this user yet. */
  readonly kind: 'copied' | 'empty';
  /** Object files hard-linked (not writable by the container) and copied. */
  readonly linked: number;
  readonly copied: number;
}

const EMPTY_HEAD = 'ref: refs/heads/main\n';

/**
 * Puts the bare repository `source` at `target` (which must not exist): refs copied, object
 * files linked where the container cannot write them (see above), else copied. `owner`: the
 * container's uid/gid when the pool manager is root (it then gives the container its folders
 * and refs); unset, everything is already the container's uid and every file is copied. Files
 * vanishing while copying (a repack in the store) make it start over once.
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
  const counts = { linked: 0, copied: 0 };
  if (!head) {
    // No repository yet (the store makes one when first asked): an empty one to seed.
    await Promise.all([
      makeDir(join(target, 'objects'), owner),
      makeDir(join(target, 'refs'), owner),
    ]);
    await writeOwned(join(target, 'HEAD'), EMPTY_HEAD, owner);
    return { kind: 'empty', ...counts };
  }
  const objects = (from: string, to: string) => placeObject(from, to, owner, counts);
  const refs = (from: string, to: string) => copyOwned(from, to, owner);
  await Promise.all([
    copyTree(join(source, 'objects'), join(target, 'objects'), owner, objects, true),
    copyTree(join(source, 'refs'), join(target, 'refs'), owner, refs, true),
    copyOwned(join(source, 'HEAD'), join(target, 'HEAD'), owner),
    optional(copyOwned(join(source, 'packed-refs'), join(target, 'packed-refs'), owner)),
    optional(copyOwned(join(source, 'shallow'), join(target, 'shallow'), owner)),
  ]);
  return { kind: 'copied', ...counts };
}

async function copyTree(
  source: string,
  target: string,
  owner: CopyOwner | undefined,
  place: (from: string, to: string) => Promise<void>,
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
      if (entry.isDirectory()) return copyTree(from, to, owner, place);
      if (!entry.isFile() || isLockFile(entry.name)) return undefined;
      return place(from, to);
    }),
  );
}

/** An object file: linked when the container cannot write the store's file, else copied. */
async function placeObject(
  from: string,
  to: string,
  owner: CopyOwner | undefined,
  counts: { linked: number; copied: number },
): Promise<void> {
  if (owner !== undefined && readOnlyFor(await lstat(from), owner)) {
    try {
      await link(from, to);
      counts.linked++;
      return;
    } catch (error) {
      // Another file system (EXDEV), or links refused: a copy does.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw error;
    }
  }
  await copyOwned(from, to, owner);
  counts.copied++;
}

/**
 * True when a process of `owner`'s uid and gid (and no capability) can read the file but can
 * neither write it nor change its mode: another uid owns it, others may read and not write,
 * and its group (if the owner's) may not write. Supplementary groups: the container has none
 * (`User: uid:gid`).
 */
export function readOnlyFor(
  stat: { uid: number; gid: number; mode: number; isFile(): boolean },
  owner: CopyOwner,
): boolean {
  if (!stat.isFile() || stat.uid === owner.uid) return false;
  // Others must read it (the container is "others"), and must not write it.
  if ((stat.mode & 0o006) !== 0o004) return false;
  return !(stat.gid === owner.gid && stat.mode & 0o020);
}

async function makeDir(path: string, owner?: CopyOwner): Promise<void> {
  await mkdir(path, { mode: 0o755 });
  if (owner) await chown(path, owner.uid, owner.gid);
}

async function copyOwned(from: string, to: string, owner?: CopyOwner): Promise<void> {
  // Never over an existing file; a copy-on-write clone where the file system has one.
  await copyFile(from, to, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
  if (owner) await chown(to, owner.uid, owner.gid);
}

async function optional(copy: Promise<void>): Promise<void> {
  try {
    await copy;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

async function writeOwned(path: string, text: string, owner?: CopyOwner): Promise<void> {
  await writeFile(path, text, { flag: 'wx', mode: 0o644 });
  if (owner) await chown(path, owner.uid, owner.gid);
}
