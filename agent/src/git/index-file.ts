// Writes a git index (version 2) for a freshly checked-out tree, in-process. Without it the
// agent's first step after a bind was `git reset`, which hashes every file of the working tree
// again (10 MB for the large bench repository) on the cores the next user's bind needs. The
// checkout knows every path's mode and object id; each entry takes the file's lstat data, as
// git's own checkout records it, so `git status` finds the tree clean without reading a file.
// A file written in the same instant as the index is "racily clean" to git, which then
// compares its content: never wrong, at worst slower once.
import { createHash } from 'node:crypto';
import { lstatSync, renameSync, writeFileSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';

export interface IndexEntry {
  /** Relative to the working tree, `/`-separated. */
  readonly path: string;
  /** The tree entry's mode: 100644, 100755, 120000 (link) or 160000 (submodule). */
  readonly mode: number;
  /** The object id (hex). */
  readonly id: string;
  /** The file's stat data when the caller has it (taken from the open file); else lstat. */
  readonly stat?: BigIntStats;
}

const HEADER = 12;
const FIXED = 62; // stat data (10 × 4), object id (20), flags (2)

/** Writes `<gitDir>/index` for `entries` (files already in `workTree`), atomically. */
export function writeIndex(gitDir: string, workTree: string, entries: readonly IndexEntry[]) {
  const sorted = entries
    .map((entry) => ({ ...entry, name: Buffer.from(entry.path, 'utf8') }))
    .sort((a, b) => Buffer.compare(a.name, b.name));
  let size = HEADER;
  for (const entry of sorted) size += (FIXED + entry.name.length + 8) & ~7;
  const out = Buffer.alloc(size + 20);
  out.write('DIRC', 0, 'latin1');
  out.writeUInt32BE(2, 4);
  out.writeUInt32BE(sorted.length, 8);
  let pos = HEADER;
  for (const entry of sorted) {
    // A submodule is an empty folder here: git records no stat data for it.
    const stat =
      entry.mode === 0o160000
        ? undefined
        : (entry.stat ?? lstatSync(join(workTree, entry.path), { bigint: true }));
    const fields = stat
      ? [
          stat.ctimeNs / 1_000_000_000n,
          stat.ctimeNs % 1_000_000_000n,
          stat.mtimeNs / 1_000_000_000n,
          stat.mtimeNs % 1_000_000_000n,
          stat.dev,
          stat.ino,
          BigInt(entry.mode),
          stat.uid,
          stat.gid,
          stat.size,
        ]
      : [0n, 0n, 0n, 0n, 0n, 0n, BigInt(entry.mode), 0n, 0n, 0n];
    // git keeps 32 bits of each (a size past 4 GiB is stored modulo, as git does).
    for (const field of fields) {
      out.writeUInt32BE(Number(BigInt.asUintN(32, field)), pos);
      pos += 4;
    }
    out.write(entry.id, pos, 20, 'hex');
    pos += 20;
    out.writeUInt16BE(Math.min(entry.name.length, 0xfff), pos);
    pos += 2;
    entry.name.copy(out, pos);
    pos += ((FIXED + entry.name.length + 8) & ~7) - FIXED; // the name and 1–8 NULs
  }
  createHash('sha1').update(out.subarray(0, size)).digest().copy(out, size);
  const temp = join(gitDir, 'index.warmgate-tmp');
  writeFileSync(temp, out, { flag: 'wx' });
  renameSync(temp, join(gitDir, 'index'));
}
