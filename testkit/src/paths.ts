// Where the built entry points are. Integration tests and benches run the compiled code
// (`npx tsc -b` first); the root `npm test` builds before it tests.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (testkit/src or testkit/dist are two levels below it). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export const entries = {
  /** `npm start` (stack/): pool manager (local runtime) + gateway in one process. */
  stack: join(repoRoot, 'stack/dist/main.js'),
  gateway: join(repoRoot, 'gateway/dist/main.js'),
  poolManager: join(repoRoot, 'pool-manager/dist/main.js'),
  /**
   * `node agent/dist/main.js sidecar|container|stdio|mcp`; WARMGATE_TEST_AGENT_ENTRY runs the
   * tests against another build of it, e.g. agent/dist/bundle/main.js (agent/scripts/bundle.js).
   */
  agent: process.env.WARMGATE_TEST_AGENT_ENTRY
    ? resolve(repoRoot, process.env.WARMGATE_TEST_AGENT_ENTRY)
    : join(repoRoot, 'agent/dist/main.js'),
} as const;

/** True when every one of these entry points has been built. */
export function built(...paths: string[]): boolean {
  return paths.every((path) => existsSync(path));
}
