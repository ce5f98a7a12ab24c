// Where the built entry points are. Integration tests and benches run the compiled code
// (`npx tsc -b` first); the root `npm test` builds before it tests.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (testkit/src or testkit/dist are two levels below it). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export const entries = {
  /** `npm start` (stack/): pool manager (local runtime) + gateway in one process. */
  stack: join(repoRoot, 'stack/dist/main.js'),
  gateway: join(repoRoot, 'gateway/dist/main.js'),
  poolManager: join(repoRoot, 'pool-manager/dist/main.js'),
  /** `node agent/dist/main.js agent|sidecar|container|stdio`. */
  agent: join(repoRoot, 'agent/dist/main.js'),
} as const;

/** True when every one of these entry points has been built. */
export function built(...paths: string[]): boolean {
  return paths.every((path) => existsSync(path));
}
