// A local clone without `git clone`: the repository's object files are hard-linked (copied
// across file systems) and its refs copied, in-process. `git clone` of a local path spawns
// two processes (clone and upload-pack) and a bind pays for each spawn; this needs none, and
// the checkout that follows needs one. Object files are immutable in git (new objects are new
// files, repacks write new packs and unlink old ones), so a hard link can neither let the
// workspace alter the store nor make it depend on the store staying put. Lock files are a
// process's state, not the repository's: they are never copied. Every call is synchronous
// (a promise per link cost about twice the CPU of the link itself), yielding every few dozen
// links: a repository made before the store kept pushes as packs can hold thousands of loose
// objects; one the store keeps packed is a few pack files.
import {
  copyFileSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
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
  mkdirSync(targetGitDir, { recursive: true });
  copyTree(join(sourceGitDir, 'refs'), join(targetGitDir, 'refs'));
  copyIfPresent(join(sourceGitDir, 'packed-refs'), join(targetGitDir, 'packed-refs'));
  copyIfPresent(join(sourceGitDir, 'shallow'), join(targetGitDir, 'shallow'));
  writeFileSync(join(targetGitDir, 'HEAD'), readFileSync(join(sourceGitDir, 'HEAD')));
  writeFileSync(join(targetGitDir, 'config'), bare ? BARE_CONFIG : WORKTREE_CONFIG);
  await linkTree(join(sourceGitDir, 'objects'), join(targetGitDir, 'objects'));
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

function copyTree(source: string, target: string): void {
  mkdirSync(target, { recursive: true });
  let entries;
  try {
    entries = readdirSync(source, { withFileTypes: true });
  } catch {
    return; // a repository without loose refs
  }
  for (const entry of entries) {
    if (entry.isDirectory()) copyTree(join(source, entry.name), join(target, entry.name));
    else if (entry.isFile() && !isLockFile(entry.name)) {
      copyFileSync(join(source, entry.name), join(target, entry.name));
    }
  }
}

function copyIfPresent(source: string, target: string): void {
  try {
    copyFileSync(source, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
