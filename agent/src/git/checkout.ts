// Writes HEAD's files into a fresh working tree without spawning git (bind's last step).
// The index is left for later (see Workspace.open): git rebuilds it from HEAD off the
// bind's critical path.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { errors } from '@warmgate/proto';
import { openObjectReader, type ObjectReader } from './object-reader.js';

/** Writes the tree of `commit` into `workTree` (which holds only `.git`). */
export async function checkoutCommit(gitDir: string, workTree: string, commit: string) {
  const reader = await openObjectReader(gitDir);
  const object = await reader.read(commit);
  if (object.type !== 'commit') throw errors.internal(`${commit} is not a commit`);
  const tree = /^tree ([0-9a-f]{40})/.exec(object.data.toString('latin1'))?.[1];
  if (!tree) throw errors.internal(`commit ${commit} names no tree`);
  await writeTree(reader, tree, workTree, workTree);
}

async function writeTree(
  reader: ObjectReader,
  id: string,
  dir: string,
  root: string,
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
    work.push(writeEntry(reader, mode, child, path, root));
  }
  await Promise.all(work);
}

async function writeEntry(
  reader: ObjectReader,
  mode: string,
  id: string,
  path: string,
  root: string,
) {
  if (mode === '40000') {
    await mkdir(path);
    return writeTree(reader, id, path, root);
  }
  if (mode === '160000') return void (await mkdir(path)); // a submodule: an empty folder
  const blob = await reader.read(id);
  if (mode === '120000') {
    // The agent writes through paths in this tree: a link out of it would let it escape.
    const target = blob.data.toString('utf8');
    if (isAbsolute(target) || !resolve(dirname(path), target).startsWith(root + sep)) {
      throw errors.failedPrecondition(`the repository links ${path} outside the workspace`);
    }
    return symlink(target, path);
  }
  await writeFile(path, blob.data, { mode: mode === '100755' ? 0o755 : 0o644 });
}
