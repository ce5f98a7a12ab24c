// Writes outside the workspace by way of a link (issue 14, "an agent that writes outside the
// workspace"): before the committer (committer.ts: the sidecar's data plane, and the
// TypeScript agent's own Workspace) commits a write's changes it looks at every path the write
// added or changed, and a symbolic link whose target leads outside the workspace (lexically,
// or through links on the way) refuses the write. Committed, such a link would reach the store,
// and the next bind's checkout guard (agent/src/git/checkout.ts) would refuse to write it, so the
// user's repository would no longer restore. Files written outside the workspace directly are
// bounded only by the runtime (docs/reliability.md): Docker's read-only root file system; on the
// local runtime only the Python agent's user code is sandboxed (bubblewrap).
import { lstat, readlink, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** The first of `paths` (relative to `workspace`) that is a link leading outside it, if any. */
export async function linkLeadingOutside(
  workspace: string,
  paths: readonly string[],
): Promise<{ path: string; target: string } | undefined> {
  const root = await realpath(workspace);
  const inside = (p: string) => {
    const rel = relative(root, p);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  for (const path of paths) {
    const full = join(root, path);
    const stat = await lstat(full).catch(() => undefined);
    if (!stat?.isSymbolicLink()) continue;
    const target = await readlink(full);
    const lexical = resolve(dirname(full), target);
    // Followed as far as it exists: a link to a link outside is outside too.
    const real = await realpath(full).catch(() => lexical);
    if (!inside(lexical) || !inside(real)) return { path, target };
  }
  return undefined;
}
