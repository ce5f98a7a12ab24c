// Store naming: the embedded repo store is a directory of bare repositories, one per user,
// `<root>/<safe-user-id>.git`. The pool manager resolves users to URLs with these functions,
// the sidecar clones from (and the agent pushes to) what they return, and the Kubernetes repo
// store serves the same names (`/b/<binding>/<safe-user-id>.git`).
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { errors } from '@warmgate/proto';
import { validateUserId } from './user-id.js';

/** Used as a file name as-is: lower case (safe on case-insensitive disks), no path syntax. */
const SAFE_NAME = /^[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9_-]+)*$/;
const RESERVED_SUFFIX = /\.(git|lock)$/;

/**
 * The file-system name of a user's repository (without `.git`). Ids that are already safe
 * names (lower-case letters, digits, `_`, `-`, single dots, ≤ 128 chars) are kept, so the
 * store stays readable; any other id maps to `_` + a SHA-256 of it. Safe names never start
 * with `_`, so the two forms never collide, and no id reaches the path unescaped.
 */
export function safeUserName(userId: string): string {
  validateUserId(userId);
  if (userId.length <= 128 && SAFE_NAME.test(userId) && !RESERVED_SUFFIX.test(userId)) {
    return userId;
  }
  return `_${createHash('sha256').update(userId, 'utf8').digest('hex').slice(0, 48)}`;
}

/** Absolute path of the user's bare repository under `root`. */
export function repoPathFor(root: string, userId: string): string {
  return join(absoluteRoot(root), `${safeUserName(userId)}.git`);
}

/** The `file://` URL the pool manager puts in BindRequest.repository.url. */
export function repoUrlFor(root: string, userId: string): string {
  return pathToFileURL(repoPathFor(root, userId)).href;
}

/** Makes the store directory (idempotent) and returns its absolute path. */
export async function ensureStore(root: string): Promise<string> {
  const dir = absoluteRoot(root);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

function absoluteRoot(root: string): string {
  if (root === '') throw errors.invalidArgument('repo store root is empty');
  return isAbsolute(root) ? root : resolve(root);
}
