// A bound user's workspace: the files the agent's tools read and write. Mutations run one at
// a time and write their files atomically. Behind the sidecar's data plane (the default) this
// class never runs git: the sidecar commits and pushes after each write call. Where the agent
// commits itself (`commits: true`: role stdio, and role agent on the Docker and Kubernetes
// runtimes) each mutation goes through the same WorkspaceCommitter the data plane uses
// (committer.ts): its own commit, pushed before the caller hears "done", rolled back when
// anything fails.
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errors } from '@warmgate/proto';
import { readHead } from '../git/head.js';
import { WorkspaceCommitter } from './committer.js';
import type { RepositoryLocation } from './restore.js';
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
  /** Set when this workspace commits itself. */
  private readonly committer: WorkspaceCommitter | undefined;
  /** Data-plane mode: mutations one at a time (the committer has its own queue). */
  private readonly queue = createSerialQueue();
  private openedHead = '';

  constructor(private readonly options: WorkspaceOptions) {
    this.dir = options.dir;
    this.committer =
      options.commits === false
        ? undefined
        : new WorkspaceCommitter({
            dir: options.dir,
            userId: options.userId,
            repository: options.repository,
            committer: { name: 'Warmgate agent', email: 'agent@warmgate.invalid' },
          });
  }

  /** Reads the current head (after the sidecar restored the repository). */
  async open(): Promise<string> {
    if (this.committer) return (this.openedHead = await this.committer.open());
    this.openedHead = (await readHead(join(this.dir, '.git'))).commit;
    return this.openedHead;
  }

  /** Resolves once the index exists (tests and tools that run git themselves). */
  ready(): Promise<void> {
    return this.committer?.ready() ?? Promise.resolve();
  }

  get head(): string {
    return this.committer?.head ?? this.openedHead;
  }

  /** Commits made here but not yet in the store. */
  get unsavedChanges(): number {
    return this.committer?.unsavedChanges ?? 0;
  }

  /** false behind the sidecar's data plane (it commits and pushes). */
  get commits(): boolean {
    return this.committer !== undefined;
  }

  get durable(): boolean {
    return this.committer?.durable ?? false;
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
   * Runs `plan` alone on the workspace; it reads what it needs and records changes, which are
   * written. When this workspace commits itself, they are committed with `message` and this
   * resolves once that commit is in the store (group commit: mutations queued behind one
   * another share one push).
   */
  async mutate(
    message: string,
    plan: (changes: Changes) => Promise<void> | void,
  ): Promise<MutationResult> {
    if (!this.committer) {
      const changed = await this.queue.run(() => this.write(plan));
      return { commit: this.openedHead, changed };
    }
    const written = await this.committer.write(async () => ({
      result: await this.write(plan),
      failed: false,
      message,
    }));
    return { commit: written.commit, changed: written.result };
  }

  /** Waits for queued mutations, commits anything stray, pushes; returns the head. */
  flush(): Promise<{ head: string; pushed: boolean }> {
    if (this.committer) return this.committer.flush();
    return this.queue.run(async () => ({ head: this.openedHead, pushed: false }));
  }

  /**
   * Runs the plan and writes changed files atomically; returns the paths whose content
   * really changed. A failure leaves files for the caller's rollback (the committer's, or the
   * data plane's).
   */
  private async write(plan: (changes: Changes) => Promise<void> | void): Promise<string[]> {
    const writes = new Map<string, string | null>();
    await plan({
      write: (path, content) => void writes.set(path, content),
      remove: (path) => void writes.set(path, null),
    });
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
      throw errors.internal('cannot write to the workspace', error);
    }
    return changed;
  }

  get repository(): RepositoryLocation {
    return this.options.repository;
  }
}
