// The store's git processes per repository, and the stale-lock sweep they make safe. A store
// process killed mid-push (kill -9, the OOM killer, a node eviction) kills its `git
// receive-pack` between taking `refs/heads/main.lock` and renaming it; the lock stays, and
// every later push into that repository is refused ("another git process seems to be
// running"). The store is the only writer of its repositories, so a lock is stale exactly when
// none of the store's own git processes runs in the repository. The sweep runs at a binding's
// first request (the bind's restore: a user is bound to one container at a time), and only
// when no git of the store runs in that repository; requests arriving meanwhile wait for it.
import { join } from 'node:path';
import { removeStaleLocks } from '@warmgate/contract/stale-locks';

/** How many repositories remember the binding they were last swept for (more: a spare sweep). */
export const SWEPT_REMEMBERED = 10_000;

export interface RepositoryWriters {
  /**
   * Runs `work` (one git process of the store in `repo`) for `bindingId`. The binding's first
   * request first removes stale locks, when no other git process of the store runs in `repo`.
   */
  run<T>(repo: string, bindingId: string, work: () => Promise<T>): Promise<T>;
}

export function repositoryWriters(
  root: string,
  log: (message: string) => void = () => undefined,
): RepositoryWriters {
  const running = new Map<string, number>();
  const sweeping = new Map<string, Promise<void>>();
  // Insertion order is age: the oldest is forgotten first; forgetting costs one more sweep.
  const swept = new Map<string, string>();

  const sweep = (repo: string, bindingId: string): Promise<void> => {
    swept.delete(repo);
    swept.set(repo, bindingId);
    if (swept.size > SWEPT_REMEMBERED) swept.delete(swept.keys().next().value!);
    const done = removeStaleLocks(join(root, repo))
      .then((removed) => {
        if (removed.length > 0) {
          log(`store: ${repo}: removed stale git locks ${removed.join(', ')}`);
        }
      })
      .catch((error: unknown) => log(`store: ${repo}: stale-lock sweep failed: ${String(error)}`))
      .finally(() => sweeping.delete(repo));
    sweeping.set(repo, done);
    return done;
  };

  return {
    async run(repo, bindingId, work) {
      for (;;) {
        const pending = sweeping.get(repo);
        if (pending !== undefined) await pending;
        else if (swept.get(repo) !== bindingId && (running.get(repo) ?? 0) === 0) {
          await sweep(repo, bindingId);
        } else break;
      }
      running.set(repo, (running.get(repo) ?? 0) + 1);
      try {
        return await work();
      } finally {
        const left = running.get(repo)! - 1;
        if (left === 0) running.delete(repo);
        else running.set(repo, left);
      }
    },
  };
}
