// The one commit/push implementation (issue 14): whatever a write changed in the workspace is
// committed as the user and pushed before the write's caller hears "done". The sidecar's data
// plane wraps each non-read-only tool call of the agent it fronts in `write`; the TypeScript
// agent's own Workspace (roles stdio, and agent on the Docker and Kubernetes runtimes) wraps
// each mutation in it. Writes run one at a time; each is its own commit; writes queued behind
// one another share one push, made by the last in line (group commit). A write that fails, or
// whose push fails, is rolled back: nothing it wrote stays in the working copy or reaches the
// store. A failed push is UNAVAILABLE (retryable), never INTERNAL.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, WarmgateError, errors } from '@warmgate/proto';
import { commitIdentity } from '../git/identity.js';
import { credentialEnv, git, PUSH_SETTINGS } from '../git/git.js';
import { readHead } from '../git/head.js';
import { inSpan } from '../telemetry/spans.js';
import { linkLeadingOutside } from './link-escapes.js';
import { localPath, type RepositoryLocation } from './restore.js';
import { createSerialQueue } from './serial-queue.js';

export interface CommitterOptions {
  dir: string;
  userId: string;
  repository: RepositoryLocation;
  /** The committing process (git's committer; the author is always the user). */
  committer?: { name: string; email: string };
}

/** What a write call reports to the committer once the agent has answered. */
export interface CallOutcome<T> {
  result: T;
  /** The call failed (tool error, refused, malformed): its changes are discarded. */
  failed: boolean;
  /** The commit's message (one line). */
  message: string;
}

export interface Written<T> {
  result: T;
  /** The commit holding the call's changes ('' when it changed nothing and none came before). */
  commit: string;
  /** Whether the call made a commit of its own. */
  committed: boolean;
}

// The agent can write the workspace's .git/config; git run by the sidecar must not execute
// anything a config there names (hooks are off in git.ts; fsmonitor is a command too).
const SAFE = ['-c', 'core.fsmonitor=false', '-c', 'core.untrackedCache=false'];

export class WorkspaceCommitter {
  private readonly queue = createSerialQueue();
  private readonly env: NodeJS.ProcessEnv;
  private readonly pushTarget: string | undefined;
  private pushedHead = '';
  private localHead = '';
  private unpushed = 0;
  private readonly waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private indexing: Promise<void> = Promise.resolve();

  constructor(private readonly options: CommitterOptions) {
    this.env = {
      ...commitIdentity(
        options.userId,
        options.committer ?? { name: 'Warmgate sidecar', email: 'sidecar@warmgate.invalid' },
      ),
      ...credentialEnv(options.repository.credential),
    };
    const { repository } = options;
    this.pushTarget = repository.ephemeral
      ? undefined
      : (localPath(repository.url) ?? repository.url);
  }

  /**
   * Reads the restored head and, where the restore wrote no index (the checkout writes one;
   * an older restore did not), builds it with `git reset`, first in line: every write's git
   * commands find an index, but bind does not wait for it.
   */
  async open(): Promise<string> {
    this.localHead = (await readHead(join(this.options.dir, '.git'))).commit;
    this.pushedHead = this.localHead;
    if (this.localHead !== '' && !existsSync(join(this.options.dir, '.git', 'index'))) {
      this.indexing = this.queue.run(async () => {
        // Spawning forks this process synchronously: wait a turn of the event loop so the
        // bind's answer is on the wire first.
        await new Promise((resolve) => setImmediate(resolve));
        await this.git(['reset', '-q']);
      });
      this.indexing.catch(() => {}); // a failure shows in the first write's git commands
    }
    return this.localHead;
  }

  /** Resolves once the index exists (tests and tools that run git themselves). */
  ready(): Promise<void> {
    return this.indexing.catch(() => {});
  }

  /** false for an ephemeral (public) workspace: nothing is ever pushed. */
  get durable(): boolean {
    return this.pushTarget !== undefined;
  }

  get head(): string {
    return this.localHead;
  }

  get unsavedChanges(): number {
    return this.unpushed;
  }

  /**
   * Runs `call` alone on the workspace, commits what it changed with the outcome's message,
   * and resolves once that commit is in the store. A thrown call or a failed outcome is
   * rolled back.
   */
  async write<T>(call: () => Promise<CallOutcome<T>>): Promise<Written<T>> {
    const { written, durable } = await this.queue.run(async () => {
      try {
        return await this.commitOne(call);
      } finally {
        if (this.queue.pending === 1) await this.pushWaiting();
      }
    });
    await durable;
    return written;
  }

  /** Waits for queued writes, commits anything stray, pushes; returns the head (drain). */
  flush(): Promise<{ head: string; pushed: boolean }> {
    return this.queue.run(async () => {
      await this.pushWaiting();
      // Stray changes holding a link outside the workspace are dropped (never acknowledged).
      const stray = await this.commitChanges('Save uncommitted changes at drain').catch(
        async (error: unknown) => {
          if (!(error instanceof WarmgateError && error.code === ErrorCode.PERMISSION_DENIED)) {
            throw error;
          }
          await this.resetTo(this.localHead);
          return false;
        },
      );
      if (stray) this.unpushed++;
      if (this.unpushed > 0) await this.pushNow();
      return { head: this.localHead, pushed: this.pushTarget !== undefined && this.unpushed === 0 };
    });
  }

  private async commitOne<T>(
    call: () => Promise<CallOutcome<T>>,
  ): Promise<{ written: Written<T>; durable: Promise<void> }> {
    const before = this.localHead;
    let outcome: CallOutcome<T>;
    try {
      outcome = await call();
    } catch (error) {
      await this.resetTo(before);
      throw error;
    }
    if (outcome.failed) {
      await this.resetTo(before);
      const written = { result: outcome.result, commit: this.localHead, committed: false };
      return { written, durable: Promise.resolve() };
    }
    const committed = await inSpan('git commit', {}, () =>
      this.commitChanges(outcome.message),
    ).catch(async (error: unknown) => {
      await this.resetTo(before);
      if (error instanceof WarmgateError && error.code === ErrorCode.PERMISSION_DENIED) throw error;
      throw errors.unavailable('the workspace could not be committed; the write was undone', error);
    });
    if (committed) this.unpushed++;
    // Even a no-op waits for the push of earlier commits: what it saw must be durable too.
    const durable =
      this.unpushed > 0
        ? new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }))
        : Promise.resolve();
    durable.catch(() => {}); // the caller awaits it; this only marks it handled meanwhile
    return { written: { result: outcome.result, commit: this.localHead, committed }, durable };
  }

  /**
   * `git add -A` + commit when anything changed; true when a commit was made. A link leading
   * outside the workspace among the changes is PERMISSION_DENIED (link-escapes.ts).
   */
  private async commitChanges(message: string): Promise<boolean> {
    await this.git(['add', '-A']);
    const { stdout } = await this.git(['diff', '--cached', '--name-only', '-z']);
    if (stdout.trim() === '') return false;
    const escape = await linkLeadingOutside(
      this.options.dir,
      stdout.split('\0').filter((path) => path !== ''),
    );
    if (escape) {
      throw errors.permissionDenied(
        `the agent wrote outside the workspace: ${escape.path} is a link to ${escape.target}; the write was undone`,
      );
    }
    await this.git(['commit', '-q', '--no-verify', '-m', message], this.env);
    this.localHead = (await readHead(join(this.options.dir, '.git'))).commit;
    return true;
  }

  private async pushWaiting(): Promise<void> {
    const waiting = this.waiting.splice(0);
    if (waiting.length === 0) return;
    try {
      if (this.unpushed > 0) await this.pushNow();
      for (const waiter of waiting) waiter.resolve();
    } catch (error) {
      await this.resetTo(this.pushTarget === undefined ? this.localHead : this.pushedHead);
      const failure = errors.unavailable(
        `the store refused the write; it was undone (${WarmgateError.from(error).message})`,
        error,
      );
      for (const waiter of waiting) waiter.reject(failure);
    }
  }

  private async pushNow(): Promise<void> {
    if (this.pushTarget === undefined) {
      this.unpushed = 0; // ephemeral (public): nothing is ever durable, and nothing is owed
      return;
    }
    const ref = (await readHead(join(this.options.dir, '.git'))).ref ?? 'refs/heads/main';
    const target = this.pushTarget;
    await inSpan('git push', {}, () =>
      this.git([...PUSH_SETTINGS, 'push', '-q', target, `HEAD:${ref}`], this.env),
    );
    this.pushedHead = this.localHead;
    this.unpushed = 0;
  }

  /** Working copy and index back to `target`; files the call created are removed. */
  private async resetTo(target: string): Promise<void> {
    try {
      if (target !== '') await this.git(['reset', '-q', '--hard', target]);
      await this.git(['clean', '-q', '-f', '-d']);
      this.localHead = target;
      if (target === this.pushedHead) this.unpushed = 0;
    } catch {
      // The working copy stays as it is; the store never saw the change.
    }
  }

  private git(args: string[], env?: NodeJS.ProcessEnv) {
    return git([...SAFE, ...args], { cwd: this.options.dir, env });
  }
}
