// Lock files a killed git left behind. Git takes `<file>.lock` (a ref, packed-refs, HEAD,
// config, shallow) and renames it into place; a process killed between the two leaves the
// lock, and every later git command that needs that file refuses with "another git process
// seems to be running in this repository". A kill -9 of an agent in the middle of its push
// into the embedded store kills the `git receive-pack` it started, so the user's bare
// repository can keep `refs/heads/main.lock` — and with it every later push, and every
// workspace restored from it, would fail. The git HTTP repo store (Docker, Kubernetes) has the
// same hazard when its own process is killed mid-push; it sweeps at a binding's first request.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** True for a git lock file's name. */
export function isLockFile(name: string): boolean {
  return name.endsWith('.lock');
}

/**
 * Removes the lock files in a repository's git folder (top level and `refs/`) and returns
 * their paths relative to it. Only safe when no git process can be running in the repository:
 * the caller must hold the repository alone (the agent's restore.ts at bind; the store server
 * when none of its git processes runs in the repository).
 */
export async function removeStaleLocks(gitDir: string): Promise<string[]> {
  const removed: string[] = [];
  const sweep = async (folder: string, relative: string, recurse: boolean): Promise<void> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return; // no such folder (a repository without loose refs)
    }
    await Promise.all(
      entries.map(async (entry) => {
        const path = join(folder, entry.name);
        const name = relative === '' ? entry.name : `${relative}/${entry.name}`;
        if (entry.isDirectory()) {
          if (recurse) await sweep(path, name, true);
          return;
        }
        if (!isLockFile(entry.name)) return;
        await rm(path, { force: true });
        removed.push(name);
      }),
    );
  };
  await Promise.all([sweep(gitDir, '', false), sweep(join(gitDir, 'refs'), 'refs', true)]);
  return removed.sort();
}
