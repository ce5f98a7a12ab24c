// Bind's heavy part: the user's repository from the store into the empty workspace.
//
// Embedded store (file://): the bare repository's object files are hard-linked into the
// workspace and its refs copied, and HEAD's files written, all in-process (link-repository.ts,
// checkout.ts): no process at all on the bind path, where `git clone` spawns two. The index
// is built by the agent right after the bind (Workspace.open), before any git command. Objects are immutable, so the workspace can neither corrupt
// the store nor depend on it (unlike --shared, whose alternates break when the store
// repacks). A first-time user's bare repository is linked from the template under a
// temporary name and renamed into place, so a concurrent bind never sees it half made.
// Remote stores (http/https) are cloned generically with the bind's credential in the
// environment, never in a config file; an empty remote is seeded from the template.
import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errors } from '@warmgate/proto';
import { credentialEnv, git, PUSH_SETTINGS } from '../git/git.js';
import { readHead } from '../git/head.js';
import { checkoutCommit } from '../git/checkout.js';
import { linkRepository } from '../git/link-repository.js';
import { removeStaleLocks } from '../git/stale-locks.js';
import { TEMPLATE_BRANCH, writeTemplateFiles } from './template-repo.js';

export interface RepositoryLocation {
  url: string;
  credential?: string;
  /** Public mode: a scratch copy of the template, never pushed anywhere. */
  ephemeral: boolean;
}

export interface RestoreResult {
  head: string;
  /** True when the user had no repository and one was made from the template. */
  created: boolean;
}

const CLONE = ['clone', '-q', '--template=', '--no-tags'];

export interface RestoreOptions {
  /** The largest git object the in-process checkout inflates (WARMGATE_AGENT_MAX_OBJECT_BYTES). */
  readonly maxObjectBytes?: number;
  /** Told which lock files a killed git left in the store's repository (and were removed). */
  readonly onStaleLocks?: (paths: string[]) => void;
}

export async function restoreWorkspace(
  repository: RepositoryLocation,
  workspaceDir: string,
  templatePath: string,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  await assertEmpty(workspaceDir);
  const gitDir = join(workspaceDir, '.git');
  if (repository.ephemeral) {
    await linkRepository(join(templatePath, '.git'), gitDir, false);
    return { head: await checkout(workspaceDir, options), created: true };
  }
  const local = localPath(repository.url);
  let created = false;
  if (local !== undefined) {
    created = await ensureBareRepo(local, templatePath);
    // Binding is the one moment nothing else writes this repository: the pool manager binds a
    // user to one container at a time and destroys a binding's container (its git children
    // with it) before the user can be bound again. A lock found now was left by a git killed
    // with its container, and would refuse every later push.
    const stale = created ? [] : await removeStaleLocks(local);
    if (stale.length > 0) options.onStaleLocks?.(stale);
    await linkRepository(local, gitDir, false);
  } else {
    await git([...CLONE, repository.url, workspaceDir], {
      env: credentialEnv(repository.credential),
    });
  }
  let head = (await readHead(gitDir)).commit;
  if (head === '') {
    head = await seedEmpty(workspaceDir, local ?? repository.url, repository.credential);
    created = true;
  } else if (local !== undefined) {
    await checkout(workspaceDir, options);
  }
  return { head, created };
}

/** The local path of a file:// URL; undefined for remote URLs; bad URLs are refused. */
export function localPath(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw errors.invalidArgument(`repository.url is not a URL: ${JSON.stringify(url)}`, cause);
  }
  if (parsed.protocol === 'file:') return fileURLToPath(parsed);
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return undefined;
  throw errors.invalidArgument(
    `repository.url must be file://, http:// or https:// (got ${parsed.protocol})`,
  );
}

async function assertEmpty(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (cause) {
    throw errors.failedPrecondition(`workspace ${dir} is not readable`, cause);
  }
  if (entries.length > 0) {
    throw errors.failedPrecondition(`workspace ${dir} is not empty: refusing to bind into it`);
  }
}

/** Makes the bare repository from the template when missing; true when it made it. */
async function ensureBareRepo(path: string, templatePath: string): Promise<boolean> {
  if (await exists(path)) return false;
  const temp = join(dirname(path), `.tmp-${randomBytes(6).toString('hex')}.git`);
  try {
    await linkRepository(join(templatePath, '.git'), temp, true);
    await rename(temp, path);
    return true;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    // Someone else made it first: theirs is as good as ours.
    if (await exists(join(path, 'HEAD'))) return false;
    throw error;
  }
}

/** HEAD's files, written in-process; the index follows later (Workspace.open). */
async function checkout(workspaceDir: string, options: RestoreOptions): Promise<string> {
  const gitDir = join(workspaceDir, '.git');
  const { commit } = await readHead(gitDir);
  await checkoutCommit(gitDir, workspaceDir, commit, options);
  return commit;
}

async function seedEmpty(
  workspaceDir: string,
  target: string,
  credential?: string,
): Promise<string> {
  await writeTemplateFiles(workspaceDir);
  const env = {
    GIT_AUTHOR_NAME: 'Warmgate',
    GIT_AUTHOR_EMAIL: 'template@warmgate.invalid',
    GIT_COMMITTER_NAME: 'Warmgate',
    GIT_COMMITTER_EMAIL: 'template@warmgate.invalid',
    ...credentialEnv(credential),
  };
  await git(['checkout', '-q', '-B', TEMPLATE_BRANCH], { cwd: workspaceDir });
  await git(['add', '-A'], { cwd: workspaceDir });
  await git(['commit', '-q', '-m', 'New workspace from the Warmgate template'], {
    cwd: workspaceDir,
    env,
  });
  await git([...PUSH_SETTINGS, 'push', '-q', target, `HEAD:refs/heads/${TEMPLATE_BRANCH}`], {
    cwd: workspaceDir,
    env,
  });
  return (await readHead(join(workspaceDir, '.git'))).commit;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
