// Bind's heavy part: the user's repository from the store into the empty workspace.
//
// Embedded store (file://): `git clone <plain path>` — one process. A plain path (not a
// file:// URL) lets git hard-link the object files instead of running the pack protocol;
// objects are immutable, so the workspace can neither corrupt the store nor depend on it
// (unlike --shared, whose alternates break when the store repacks). Across file systems
// git falls back to copying. A first-time user's bare repository is cloned from the
// template into a temporary name and renamed into place, so a concurrent bind can never see
// it half made. Remote stores (http/https) are cloned generically with the bind's credential
// in the environment, never in a config file; an empty remote is seeded from the template.
import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errors } from '@warmgate/proto';
import { credentialEnv, git } from '../git/git.js';
import { readHead } from '../git/head.js';
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

export async function restoreWorkspace(
  repository: RepositoryLocation,
  workspaceDir: string,
  templatePath: string,
): Promise<RestoreResult> {
  await assertEmpty(workspaceDir);
  if (repository.ephemeral) {
    await git([...CLONE, templatePath, workspaceDir]);
    return { head: (await readHead(join(workspaceDir, '.git'))).commit, created: true };
  }
  const local = localPath(repository.url);
  let created = false;
  if (local !== undefined) {
    created = await ensureBareRepo(local, templatePath);
    await git([...CLONE, local, workspaceDir]);
  } else {
    await git([...CLONE, repository.url, workspaceDir], {
      env: credentialEnv(repository.credential),
    });
  }
  let head = (await readHead(join(workspaceDir, '.git'))).commit;
  if (head === '') {
    head = await seedEmpty(workspaceDir, repository);
    created = true;
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
    await git(['clone', '-q', '--bare', '--template=', templatePath, temp]);
    await rename(temp, path);
    return true;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    // Someone else made it first: theirs is as good as ours.
    if (await exists(join(path, 'HEAD'))) return false;
    throw error;
  }
}

async function seedEmpty(workspaceDir: string, repository: RepositoryLocation): Promise<string> {
  await writeTemplateFiles(workspaceDir);
  const env = {
    GIT_AUTHOR_NAME: 'Warmgate',
    GIT_AUTHOR_EMAIL: 'template@warmgate.invalid',
    GIT_COMMITTER_NAME: 'Warmgate',
    GIT_COMMITTER_EMAIL: 'template@warmgate.invalid',
    ...credentialEnv(repository.credential),
  };
  await git(['checkout', '-q', '-B', TEMPLATE_BRANCH], { cwd: workspaceDir });
  await git(['add', '-A'], { cwd: workspaceDir });
  await git(['commit', '-q', '-m', 'New workspace from the Warmgate template'], {
    cwd: workspaceDir,
    env,
  });
  await git(['push', '-q', 'origin', `HEAD:refs/heads/${TEMPLATE_BRANCH}`], {
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
