// What the repo store lets a push do, whatever the pushing agent asks: objects are checked
// (receive.fsckObjects), history is never rewritten or deleted (denyNonFastForwards,
// denyDeletes), and a repository stays under its size quota. The settings reach the
// `git receive-pack` that `git http-backend` starts through the environment (GIT_CONFIG_*),
// so they hold for every repository, old ones included, with nothing written into them.
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** WARMGATE_STORE_QUOTA's default: 256 MiB per repository. */
export const DEFAULT_QUOTA_BYTES = 256 * 1024 * 1024;

export const RECEIVE_SETTINGS: readonly (readonly [string, string])[] = [
  ['receive.fsckObjects', 'true'],
  ['receive.denyNonFastForwards', 'true'],
  ['receive.denyDeletes', 'true'],
];

/**
 * How the store keeps what it receives: each push stays the one pack it arrived as (never
 * unpacked into a loose file per object), so a repository is a handful of pack files and a
 * bind links those, not thousands of objects in 256 fan-out folders (docs/benchmarks.md,
 * "Where a large bind spends its time"). When pushes have piled up gc.autoPackLimit (50)
 * packs, receive-pack's own `git gc --auto` folds them into one, inside the push (not
 * detached): it ends with the push, so it never runs while the user's next bind links the
 * files (a user is bound to one container at a time). A repack writes new packs and unlinks
 * old ones, never changing a file: a workspace's hard links keep their data.
 */
export const PACKING_SETTINGS: readonly (readonly [string, string])[] = [
  ['receive.unpackLimit', '1'],
  ['gc.autoDetach', 'false'],
];

/**
 * The quota check, run by receive-pack after it has taken the pack in (quarantined under
 * objects/, so counted by du) and before any ref moves: over the quota, the push is refused
 * with a message the pusher sees as `remote: ...`, and the quarantined objects are dropped.
 */
/**
 * The quota comes from the environment the store server gives receive-pack; a push that runs
 * receive-pack itself (an agent pushing to the embedded store by path) has no such variable,
 * and gets the quota written into the hook.
 */
const preReceive = (quotaBytes: number) => `#!/bin/sh
quota="\${WARMGATE_STORE_QUOTA_BYTES:-${quotaBytes}}"
used=$(du -sb "$GIT_DIR" | cut -f1)
if [ "$used" -gt "$quota" ]; then
  echo "warmgate: push refused: the repository would hold $used bytes, over its quota of $quota bytes (WARMGATE_STORE_QUOTA)" >&2
  exit 1
fi
exit 0
`;

/** The store's hooks folder, beside its repositories: `<root>/.warmgate-hooks`. */
export const HOOKS_FOLDER = '.warmgate-hooks';

/** Writes the store's hooks folder (outside every repository) and returns its path. */
export async function writeStoreHooks(
  root: string,
  quotaBytes: number = DEFAULT_QUOTA_BYTES,
): Promise<string> {
  const hooks = join(root, HOOKS_FOLDER);
  await mkdir(hooks, { recursive: true, mode: 0o700 });
  const path = join(hooks, 'pre-receive');
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, preReceive(quotaBytes), { mode: 0o700 });
  await chmod(temp, 0o700);
  await rename(temp, path); // a push running now sees the old hook or the new one, whole
  return hooks;
}

/** The environment that makes every receive-pack under http-backend follow the policy. */
export function receiveEnv(hooksPath: string, quotaBytes: number): NodeJS.ProcessEnv {
  const settings = [
    ...RECEIVE_SETTINGS,
    ...PACKING_SETTINGS,
    ['core.hooksPath', hooksPath] as const,
  ];
  const env: NodeJS.ProcessEnv = {
    GIT_CONFIG_COUNT: String(settings.length),
    WARMGATE_STORE_QUOTA_BYTES: String(quotaBytes),
  };
  settings.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

/** "512MiB", "100MB", "1GiB", "65536" (bytes). */
export function parseSize(raw: string): number {
  const match = /^(\d+)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/i.exec(raw.trim());
  if (!match) throw new Error('expected a size like 65536, 100MB or 512MiB');
  const units: Record<string, number> = {
    b: 1,
    kb: 1e3,
    kib: 1024,
    mb: 1e6,
    mib: 1024 ** 2,
    gb: 1e9,
    gib: 1024 ** 3,
  };
  const bytes = Number(match[1]) * units[(match[2] ?? 'b').toLowerCase()]!;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new Error('must be a positive size');
  return bytes;
}
