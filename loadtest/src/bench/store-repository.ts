// The user repository a bench binds: `files` files of incompressible text, `bytes` in all,
// committed in `<dir>/repo-<name>` and pushed to `<dir>/repo-<name>.git` the way the store
// keeps a user's repository: the workspace's push (PUSH_SETTINGS) kept as the one pack it
// arrived as (receive.unpackLimit=1, pool-manager/src/store-server/receive-policy.ts).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PUSH_SETTINGS } from '@warmgate/agent';

export interface StoreRepositoryOptions {
  readonly files: number;
  readonly bytes: number;
  readonly folders: readonly string[];
  /** Seeds the content's generator: the same seed, the same files. */
  readonly seed: number;
}

export interface StoreRepository {
  /** The bare repository, as the store keeps it. */
  readonly bare: string;
  /** The working tree the commit was made in (with its .git). */
  readonly work: string;
}

export function makeStoreRepository(
  dir: string,
  name: string,
  options: StoreRepositoryOptions,
): StoreRepository {
  const work = join(dir, `repo-${name}`);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, stdio: 'ignore' });
  mkdirSync(work, { recursive: true });
  git('init', '-q', '-b', 'main');
  let seed = options.seed;
  // 32-bit arithmetic: a float product loses its low bits, and the files repeat.
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const size = Math.floor(options.bytes / options.files);
  for (let i = 0; i < options.files; i++) {
    const folder = join(work, options.folders[i % options.folders.length]!);
    mkdirSync(folder, { recursive: true });
    const content = Buffer.alloc(size);
    for (let b = 0; b < size; b++) content[b] = 32 + Math.floor(random() * 94);
    writeFileSync(join(folder, `item-${i}.md`), content);
  }
  git('add', '-A');
  git(
    '-c',
    'user.name=bench',
    '-c',
    'user.email=bench@warmgate.invalid',
    'commit',
    '-q',
    '-m',
    'seed',
  );
  const bare = join(dir, `repo-${name}.git`);
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare], { stdio: 'ignore' });
  execFileSync('git', ['-C', bare, 'config', 'receive.unpackLimit', '1'], { stdio: 'ignore' });
  git(...PUSH_SETTINGS, 'push', '-q', bare, 'main'); // as a workspace pushes
  return { bare, work };
}
