// A local clone without `git clone`: the repository's object files are hard-linked (copied
// across file systems) and its refs copied, in-process. `git clone` of a local path spawns
// two processes (clone and upload-pack) and a bind pays for each spawn; this needs none, and
// the checkout that follows needs one. Object files are immutable in git (new objects are new
// files, repacks write new packs and unlink old ones), so a hard link can neither let the
// workspace alter the store nor make it depend on the store staying put. Lock files are a
// process's state, not the repository's: they are never copied. The object files are linked
// with synchronous calls, yielding every few dozen (a store's repository can hold thousands of
// loose objects; a promise per link cost about twice the CPU of the link itself).
import { copyFileSync, linkSync, mkdirSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { isLockFile } from './stale-locks.js';

const WORKTREE_CONFIG =
  '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n';
// The embedded store's repositories check what they receive, keep their history, and run the
// store's quota hook, which the pool manager keeps beside them (`<store>/.warmgate-hooks`,
// relative to the bare repository where hooks run; pool-manager/src/store-server/embedded-policy.ts).
// Each push stays one pack, and the gc that folds piled-up packs runs inside the push, never
// detached (pool-manager/src/store-server/receive-policy.ts PACKING_SETTINGS).
const BARE_CONFIG =
  '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n' +
  '\thooksPath = ../.warmgate-hooks\n' +
  '[receive]\n\tfsckObjects = true\n\tdenyNonFastForwards = true\n\tdenyDeletes = true\n' +
  '\tunpackLimit = 1\n' +
  '[gc]\n\tautoDetach = false\n';

/**
 * Makes `targetGitDir` a repository with the objects and refs of `sourceGitDir` (a bare
 * repository or a `.git` folder). HEAD is copied; `bare` picks the config written.
 */
export async function linkRepository(
  sourceGitDir: string,
  targetGitDir: string,
  bare: boolean,
): Promise<void> {
  await mkdir(targetGitDir, { recursive: true });
  await Promise.all([
    linkTree(join(sourceGitDir, 'objects'), join(targetGitDir, 'objects')),
    copyTree(join(sourceGitDir, 'refs'), join(targetGitDir, 'refs')),
    copyIfPresent(join(sourceGitDir, 'packed-refs'), join(targetGitDir, 'packed-refs')),
    copyIfPresent(join(sourceGitDir, 'shallow'), join(targetGitDir, 'shallow')),
    readFile(join(sourceGitDir, 'HEAD')).then((head) =>
      writeFile(join(targetGitDir, 'HEAD'), head),
    ),
    writeFile(join(targetGitDir, 'config'), bare ? BARE_CONFIG : WORKTREE_CONFIG),
  ]);
}

/** Object files linked between two yields to the event loop. */
const BATCH = 128;

async function linkTree(source: string, target: string, done = { count: 0 }): Promise<void> {
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    if (entry.isDirectory()) {
      await linkTree(from, to, done);
      continue;
    }
    if (!entry.isFile() || isLockFile(entry.name)) continue;
    try {
      linkSync(from, to);
    } catch {
      copyFileSync(from, to); // another file system, or links not allowed
    }
    if (++done.count % BATCH === 0) await yieldToLoop();
  }
}

async function copyTree(source: string, target: string): Promise<void> {
  await mkdir(target, { recursive: true });
  let entries;
  try {
    entries = await readdir(source, { withFileTypes: true });
  } catch {
    return; // a repository without loose refs
  }
  await Promise.all(
    entries.map((entry) =>
      entry.isDirectory()
        ? copyTree(join(source, entry.name), join(target, entry.name))
        : entry.isFile() && !isLockFile(entry.name)
          ? copyFile(join(source, entry.name), join(target, entry.name))
          : undefined,
    ),
  );
}

async function copyIfPresent(source: string, target: string): Promise<void> {
  try {
    await copyFile(source, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
