// A bound user's workspace: a git working copy whose every change is committed (author = the
// user) and pushed to the store before the caller hears "done". Mutations are serialised;
// a mutation that fails anywhere (validation, commit, push) is rolled back, so nothing
// half-written stays in the working copy or reaches the store.
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errors } from '@warmgate/proto';
import { credentialEnv, git } from '../git/git.js';
import { commitIdentity } from '../git/identity.js';
import { readHead } from '../git/head.js';
import { localPath, type RepositoryLocation } from './restore.js';
import { createSerialQueue } from './serial-queue.js';

/** What a mutation may do to files (paths relative to the workspace, already validated). */
export interface Changes {
  write(path: string, content: string): void;
  remove(path: string): void;
}

export interface MutationResult {
  commit: string;
  /** Paths that really changed (empty when the mutation was a no-op). */
  changed: string[];
}

export interface WorkspaceOptions {
  dir: string;
  userId: string;
  repository: RepositoryLocation;
  /**
   * false: behind the sidecar's data plane (issue 14) — mutations only write files; the
   * sidecar commits, pushes and rolls back, and this class never runs git.
   */
  commits?: boolean;
}

export class Workspace {
  readonly dir: string;
  private readonly queue = createSerialQueue();
  private readonly env: NodeJS.ProcessEnv;
  private readonly pushTarget: string | undefined;
  private pushedHead = '';
  private localHead = '';
  private unpushed = 0;
  private indexing: Promise<void> = Promise.resolve();
  /** Mutations committed here whose push has not happened yet (group commit). */
  private readonly waiting: {
    resolve: () => void;
    reject: (error: unknown) => void;
    paths: string[];
  }[] = [];

  constructor(private readonly options: WorkspaceOptions) {
    this.dir = options.dir;
    this.env = {
      ...commitIdentity(options.userId, {
        name: 'Warmgate agent',
        email: 'agent@warmgate.invalid',
      }),
      ...credentialEnv(options.repository.credential),
    };
    const { repository } = options;
    this.pushTarget = repository.ephemeral
      ? undefined
      : (localPath(repository.url) ?? repository.url);
  }

  /**
   * Reads the current head (after the sidecar restored the repository). A restore writes
   * files but no index; `git reset` (mixed) builds it from HEAD and the files' stat data. It
   * runs first in the queue, so every git command of a mutation finds an index, but bind
   * does not wait for it.
   */
  async open(): Promise<string> {
    this.localHead = (await readHead(join(this.dir, '.git'))).commit;
    this.pushedHead = this.localHead;
    if (this.options.commits === false) return this.localHead;
    const hasIndex = await stat(join(this.dir, '.git', 'index')).then(
      () => true,
      () => false,
    );
    if (!hasIndex && this.localHead !== '') {
      // Spawning forks this process synchronously: wait a turn of the event loop so the
      // bind's answer is on the wire first.
      this.indexing = this.queue.run(async () => {
        await new Promise((resolve) => setImmediate(resolve));
        await git(['reset', '-q'], { cwd: this.dir });
      });
      this.indexing.catch(() => {}); // a failure shows in the first mutation's git commands
    }
    return this.localHead;
  }

  /** Resolves once the index exists (tests and tools that run git themselves). */
  ready(): Promise<void> {
    return this.indexing.catch(() => {});
  }

  get head(): string {
    return this.localHead;
  }

  /** Commits made here but not yet in the store. */
  get unsavedChanges(): number {
    return this.unpushed;
  }

  /** false behind the sidecar's data plane (it commits and pushes). */
  get commits(): boolean {
    return this.options.commits !== false;
  }

  get durable(): boolean {
    return this.pushTarget !== undefined;
  }

  /**
   * Reads are synchronous on purpose: a workspace file is small and local, and fs/promises
   * costs ~70–100 µs of CPU per read in thread-pool hand-offs against ~2 µs for the same
   * read done in place — it was the largest share of a cheap tool call (docs/benchmarks.md).
   */
  async read(path: string): Promise<string | undefined> {
    try {
      return readFileSync(join(this.dir, path), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw errors.internal(`cannot read ${path}`, error);
    }
  }

  /** File names in a workspace folder (not recursive, no dot files). */
  async list(folder: string): Promise<string[]> {
    try {
      return readdirSync(join(this.dir, folder))
        .filter((name) => !name.startsWith('.'))
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw errors.internal(`cannot list ${folder}`, error);
    }
  }

  /**
   * Runs `plan` alone on the workspace; it reads what it needs and records changes. The
   * changes are written and committed with `message`, and this resolves once that commit is
   * in the store. Group commit: each mutation is its own commit, but mutations queued
   * behind one another share one push, made by the last in line.
   */
  async mutate(
    message: string,
    plan: (changes: Changes) => Promise<void> | void,
  ): Promise<MutationResult> {
    if (this.options.commits === false) return this.queue.run(() => this.writeOnly(plan));
    const { result, durable } = await this.queue.run(async () => {
      try {
        return await this.commitOne(message, plan);
      } finally {
        if (this.queue.pending === 1) await this.pushWaiting();
      }
    });
    await durable;
    return result;
  }

  /** Waits for queued mutations, commits anything stray, pushes; returns the head. */
  flush(): Promise<{ head: string; pushed: boolean }> {
    if (this.options.commits === false) {
      return this.queue.run(async () => ({ head: this.localHead, pushed: false }));
    }
    return this.queue.run(async () => {
      await this.pushWaiting();
      const { stdout } = await git(['status', '--porcelain'], { cwd: this.dir });
      if (stdout.trim() !== '') {
        await git(['add', '-A'], { cwd: this.dir });
        await git(['commit', '-q', '--no-verify', '-m', 'Save uncommitted changes at drain'], {
          cwd: this.dir,
          env: this.env,
        });
        this.localHead = (await readHead(join(this.dir, '.git'))).commit;
        this.unpushed++;
      }
      if (this.unpushed > 0) await this.pushNow();
      return { head: this.localHead, pushed: this.durable && this.unpushed === 0 };
    });
  }

  /** Data-plane mode: the changes are written; the sidecar commits (or undoes) them. */
  private async writeOnly(
    plan: (changes: Changes) => Promise<void> | void,
  ): Promise<MutationResult> {
    const writes = new Map<string, string | null>();
    await plan({
      write: (path, content) => void writes.set(path, content),
      remove: (path) => void writes.set(path, null),
    });
    const changed = await this.apply(writes);
    return { commit: this.localHead, changed };
  }

  private async commitOne(
    message: string,
    plan: (changes: Changes) => Promise<void> | void,
  ): Promise<{ result: MutationResult; durable: Promise<void> }> {
    const writes = new Map<string, string | null>();
    await plan({
      write: (path, content) => void writes.set(path, content),
      remove: (path) => void writes.set(path, null),
    });
    const changed = await this.apply(writes);
    if (changed.length > 0) {
      const before = this.localHead;
      try {
        await git(['add', '-A', '--', ...changed], { cwd: this.dir });
        await git(['commit', '-q', '--no-verify', '-m', message], { cwd: this.dir, env: this.env });
        this.localHead = (await readHead(join(this.dir, '.git'))).commit;
        this.unpushed++;
      } catch (error) {
        await this.resetTo(before, changed);
        throw error;
      }
    }
    // Even a no-op waits for the push of earlier commits: what it saw must be durable too.
    const durable =
      this.unpushed > 0
        ? new Promise<void>((resolve, reject) =>
            this.waiting.push({ resolve, reject, paths: changed }),
          )
        : Promise.resolve();
    durable.catch(() => {}); // the caller awaits it; this only marks it handled meanwhile
    return { result: { commit: this.localHead, changed }, durable };
  }

  /** Pushes for every mutation waiting; on failure all of them are undone and fail. */
  private async pushWaiting(): Promise<void> {
    const waiting = this.waiting.splice(0);
    if (waiting.length === 0) return;
    try {
      if (this.unpushed > 0) await this.pushNow();
      for (const waiter of waiting) waiter.resolve();
    } catch (error) {
      await this.resetTo(this.pushTarget === undefined ? this.localHead : this.pushedHead, [
        ...new Set(waiting.flatMap((waiter) => waiter.paths)),
      ]);
      for (const waiter of waiting) waiter.reject(error);
    }
  }

  private async pushNow(): Promise<void> {
    if (this.pushTarget === undefined) {
      this.unpushed = 0; // ephemeral: nothing is ever durable, and nothing is owed
      return;
    }
    const ref = (await readHead(join(this.dir, '.git'))).ref ?? 'refs/heads/main';
    await git(['push', '-q', this.pushTarget, `HEAD:${ref}`], { cwd: this.dir, env: this.env });
    this.pushedHead = this.localHead;
    this.unpushed = 0;
  }

  /** Writes changed files atomically; returns the paths whose content really changed. */
  private async apply(writes: Map<string, string | null>): Promise<string[]> {
    const changed: string[] = [];
    for (const [path, content] of writes) {
      const before = await this.read(path);
      if (before === (content ?? undefined)) continue;
      changed.push(path);
    }
    try {
      for (const path of changed) {
        const content = writes.get(path);
        const target = join(this.dir, path);
        if (content === null || content === undefined) {
          await rm(target, { force: true });
          continue;
        }
        await mkdir(dirname(target), { recursive: true });
        const temp = `${target}.${randomBytes(4).toString('hex')}.tmp`;
        await writeFile(temp, content);
        await rename(temp, target);
      }
    } catch (error) {
      await this.resetTo(this.localHead, changed);
      throw errors.internal('cannot write to the workspace', error);
    }
    return changed;
  }

  /** Working copy and index back to `target`; `paths` no longer hold anything new. */
  private async resetTo(target: string, paths: string[]): Promise<void> {
    if (this.options.commits === false) return; // the sidecar undoes a failed call
    try {
      await git(['reset', '-q', '--hard', target], { cwd: this.dir });
      if (paths.length > 0) await git(['clean', '-q', '-f', '--', ...paths], { cwd: this.dir });
      this.localHead = target;
      if (target === this.pushedHead) this.unpushed = 0;
    } catch {
      // The working copy stays as it is; the store never saw the change.
    }
  }

  get repository(): RepositoryLocation {
    return this.options.repository;
  }
}
