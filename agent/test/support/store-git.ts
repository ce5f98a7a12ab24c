// Looks into the embedded store's bare repositories the way an operator would: with git.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoPathFor } from '@warmgate/contract';

const run = promisify(execFile);

export async function storeGit(store: string, userId: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', ['--git-dir', repoPathFor(store, userId), ...args]);
  return stdout;
}

/** Commit subjects on the store's HEAD, newest first. */
export async function storeLog(store: string, userId: string): Promise<string[]> {
  return (await storeGit(store, userId, ['log', '--format=%s'])).split('\n').filter(Boolean);
}

export async function storeFile(store: string, userId: string, path: string): Promise<string> {
  return storeGit(store, userId, ['show', `HEAD:${path}`]);
}

export async function storeFiles(store: string, userId: string): Promise<string[]> {
  return (await storeGit(store, userId, ['ls-tree', '-r', '--name-only', 'HEAD']))
    .split('\n')
    .filter(Boolean);
}
