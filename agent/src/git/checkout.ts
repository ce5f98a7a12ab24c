// Writes HEAD's files into a fresh working tree without spawning git (bind's last step).
// The index is left for later (see Workspace.open): git rebuilds it from HEAD off the
// bind's critical path.
//
// The repository is the user's (anything may have been pushed), the working tree is where the
// agent writes: nothing may lead out of it. Files and folders are created exclusively (never
// through something already there); symbolic links are made last, when nothing else will be
// written, and each is then followed by real path — through chains of links, dangling or not —
// and refused unless it ends inside the working tree. Objects inflate up to a bound.
import { mkdir, readlink, realpath, symlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, sep } from 'node:path';
import { errors } from '@warmgate/proto';
import { openObjectReader, type ObjectReader } from './object-reader.js';

export interface CheckoutOptions {
  /** The largest object inflated (object-reader.ts DEFAULT_MAX_OBJECT_BYTES when unset). */
  readonly maxObjectBytes?: number;
}

interface Link {
  readonly path: string;
  readonly target: string;
}

/** Writes the tree of `commit` into `workTree` (which holds only `.git`). */
export async function checkoutCommit(
  gitDir: string,
  workTree: string,
  commit: string,
  options: CheckoutOptions = {},
) {
  const reader = await openObjectReader(gitDir, options.maxObjectBytes);
  const object = await reader.read(commit);
  if (object.type !== 'commit') throw errors.internal(`${commit} is not a commit`);
  const tree = /^tree ([0-9a-f]{40})/.exec(object.data.toString('latin1'))?.[1];
  if (!tree) throw errors.internal(`commit ${commit} names no tree`);
  const links: Link[] = [];
  await writeTree(reader, tree, workTree, links);
  const root = await realpath(workTree);
  for (const link of links) await symlink(link.target, link.path);
  for (const link of links) {
    const real = await realTarget(link.path);
    if (real !== root && !real.startsWith(root + sep)) {
      throw errors.failedPrecondition(
        `the repository links ${link.path.slice(workTree.length + 1)} outside the workspace`,
      );
    }
  }
}

async function writeTree(
  reader: ObjectReader,
  id: string,
  dir: string,
  links: Link[],
): Promise<void> {
  const tree = await reader.read(id);
  if (tree.type !== 'tree') throw errors.internal(`${id} is not a tree`);
  const data = tree.data;
  const work: Promise<void>[] = [];
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
    work.push(writeEntry(reader, mode, child, path, links));
  }
  await Promise.all(work);
}

async function writeEntry(
  reader: ObjectReader,
  mode: string,
  id: string,
  path: string,
  links: Link[],
) {
  if (mode === '40000') {
    await mkdir(path); // fails on anything already there (a duplicate entry)
    return writeTree(reader, id, path, links);
  }
  if (mode === '160000') return void (await mkdir(path)); // a submodule: an empty folder
  const blob = await reader.read(id);
  if (mode === '120000') {
    links.push({ path, target: blob.data.toString('utf8') });
    return;
  }
  // 'wx': never through an existing file or link.
  await writeFile(path, blob.data, { mode: mode === '100755' ? 0o755 : 0o644, flag: 'wx' });
}

/**
 * Where `path` really leads: walked one name at a time as the kernel would, every link on the
 * way followed (`..` after a link goes up from where the link led, not lexically), including
 * links whose target does not exist (yet) — the agent could create it and write through.
 */
async function realTarget(path: string): Promise<string> {
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
      target = await readlink(next);
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
