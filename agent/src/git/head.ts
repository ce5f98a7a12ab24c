// Reads HEAD without spawning git: bind and every commit need the head commit, and a process
// spawn costs more than the whole file read.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Head {
  /** refs/heads/<branch>, or undefined for a detached HEAD. */
  ref: string | undefined;
  /** The commit id, or '' in a repository without commits. */
  commit: string;
}

/** The HEAD of the repository whose git directory is `gitDir`. */
export async function readHead(gitDir: string): Promise<Head> {
  const head = (await readFile(join(gitDir, 'HEAD'), 'utf8')).trim();
  if (!head.startsWith('ref: ')) return { ref: undefined, commit: head };
  const ref = head.slice(5);
  return { ref, commit: await resolveRef(gitDir, ref) };
}

async function resolveRef(gitDir: string, ref: string): Promise<string> {
  try {
    return (await readFile(join(gitDir, ref), 'utf8')).trim();
  } catch {
    // A fresh clone keeps its refs in packed-refs.
  }
  try {
    const packed = await readFile(join(gitDir, 'packed-refs'), 'utf8');
    for (const line of packed.split('\n')) {
      const [id, name] = line.split(' ');
      if (name === ref && id) return id;
    }
  } catch {
    // no packed refs
  }
  return '';
}
