// Writes HEAD's files into a fresh working tree without spawning git (bind's last step), and
// the index that records them (index-file.ts), so the agent needs no `git reset` after a bind.
//
// The repository is the user's (anything may have been pushed), the working tree is where the
// agent writes: nothing may lead out of it. Files and folders are created exclusively (never
// through something already there); symbolic links are made last, when nothing else will be
// written, and each is then followed by real path — through chains of links, dangling or not —
// and refused unless it ends inside the working tree. Objects inflate up to a bound.
//
// Files are read and written with synchronous calls, one after another, yielding to the event
// loop every few dozen files: a promise per file system call (a thread-pool hop each for open,
// write, close) made the checkout cost about 1.5× the CPU of the same writes made directly
// (docs/benchmarks.md, "Where a bind spends its time"), and the sidecar serves nobody else
// while it binds.
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  realpathSync,
  symlinkSync,
  writeSync,
  constants,
} from 'node:fs';
import { dirname, isAbsolute, join, sep } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { errors } from '@warmgate/proto';
import { writeIndex, type IndexEntry } from './index-file.js';
import { openObjectReader, type ObjectReader } from './object-reader.js';

export interface CheckoutOptions {
  /** The largest object inflated (object-reader.ts DEFAULT_MAX_OBJECT_BYTES when unset). */
  readonly maxObjectBytes?: number;
}

interface Link {
  readonly path: string;
  readonly target: string;
}

/** What a checkout collects on its way through the tree. */
interface Walk {
  readonly reader: ObjectReader;
  readonly links: Link[];
  readonly entries: IndexEntry[];
  written: number;
}

/** Files written between two yields to the event loop. */
const BATCH = 64;
const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
const BIG = { bigint: true } as const;

/** Writes the tree of `commit` into `workTree` (which holds only `.git`), then its index. */
export async function checkoutCommit(
  gitDir: string,
  workTree: string,
  commit: string,
  options: CheckoutOptions = {},
) {
  const reader = await openObjectReader(gitDir, options.maxObjectBytes);
  const walk: Walk = { reader, links: [], entries: [], written: 0 };
  try {
    const object = reader.read(commit);
    if (object.type !== 'commit') throw errors.internal(`${commit} is not a commit`);
    const tree = /^tree ([0-9a-f]{40})/.exec(object.data.toString('latin1'))?.[1];
    if (!tree) throw errors.internal(`commit ${commit} names no tree`);
    await writeTree(walk, tree, workTree, '');
  } finally {
    reader.close();
  }
  const root = realpathSync(workTree);
  for (const link of walk.links) symlinkSync(link.target, link.path);
  for (const link of walk.links) {
    const real = realTarget(link.path);
    if (real !== root && !real.startsWith(root + sep)) {
      throw errors.failedPrecondition(
        `the repository links ${link.path.slice(workTree.length + 1)} outside the workspace`,
      );
    }
  }
  writeIndex(gitDir, workTree, walk.entries);
}

async function writeTree(walk: Walk, id: string, dir: string, prefix: string): Promise<void> {
  const tree = walk.reader.read(id);
  if (tree.type !== 'tree') throw errors.internal(`${id} is not a tree`);
  const data = tree.data;
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const nul = data.indexOf(0, space);
    const mode = data.toString('latin1', pos, space);
    const name = data.toString('utf8', space + 1, nul);
    const child = data.toString('hex', nul + 1, nul + 21);
    pos = nul + 21;
    if (name === '' || name === '.' || name === '..' || name === '.git' || name.includes('/')) {
      throw errors.internal(`tree ${id} has an unsafe entry name ${JSON.stringify(name)}`);
    }
    const path = join(dir, name);
    const relative = prefix + name;
    if (mode === '40000') {
      mkdirSync(path); // fails on anything already there (a duplicate entry)
      await writeTree(walk, child, path, relative + '/');
      continue;
    }
    // As git records them: any other regular mode (an old 100664) is 100644.
    const indexMode =
      mode === '160000' || mode === '120000' || mode === '100755' ? parseInt(mode, 8) : 0o100644;
    if (mode === '160000') {
      walk.entries.push({ path: relative, mode: indexMode, id: child });
      mkdirSync(path); // a submodule: an empty folder
      continue;
    }
    const blob = walk.reader.read(child);
    if (mode === '120000') {
      walk.entries.push({ path: relative, mode: indexMode, id: child });
      walk.links.push({ path, target: blob.data.toString('utf8') });
      continue;
    }
    // O_EXCL: never through an existing file or link. The index takes the file's stat data
    // from the open file (no second lookup by path).
    const fd = openSync(path, CREATE, mode === '100755' ? 0o755 : 0o644);
    try {
      for (let at = 0; at < blob.data.length;) at += writeSync(fd, blob.data, at);
      walk.entries.push({ path: relative, mode: indexMode, id: child, stat: fstatSync(fd, BIG) });
    } finally {
      closeSync(fd);
    }
    if (++walk.written % BATCH === 0) await yieldToLoop();
  }
}

/**
 * Where `path` really leads: walked one name at a time as the kernel would, every link on the
 * way followed (`..` after a link goes up from where the link led, not lexically), including
 * links whose target does not exist (yet) — the agent could create it and write through.
 */
function realTarget(path: string): string {
  const pending = path.split(sep).filter(Boolean).reverse();
  let current: string = sep;
  let hops = 0;
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (name === '.') continue;
    if (name === '..') {
      current = dirname(current);
      continue;
    }
    const next = join(current, name);
    let target: string;
    try {
      target = readlinkSync(next);
    } catch {
      current = next; // a folder, a file, or nothing yet: no link to follow
      continue;
    }
    if (++hops > 40) throw errors.failedPrecondition(`the repository links ${path} in a loop`);
    if (isAbsolute(target)) current = sep;
    pending.push(...target.split(sep).filter(Boolean).reverse());
  }
  return current;
}
