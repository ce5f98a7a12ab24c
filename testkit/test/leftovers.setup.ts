// Setup file of every integration project (vitest.config.ts): after each test file, and when
// its worker exits, whatever the file's processes left alive is SIGKILLed by process group —
// also when a test timed out and skipped its own clean-up (testkit/src/leftovers.ts).
import { afterAll, beforeAll } from 'vitest';
// The package, as the tests import it: one registry, whichever build vitest resolves it to.
import { killLeftovers, reopenLeftovers } from '@warmgate/testkit';

beforeAll(() => reopenLeftovers());
afterAll(() => {
  const found = killLeftovers({ close: true });
  if (found > 0) console.warn(`leftovers: killed ${found} process(es) a test left running`);
});
// One exit listener per worker process, however many test files (module instances) it runs.
const atExit = Symbol.for('warmgate.testkit.leftovers-at-exit');
const registry = globalThis as { [atExit]?: Set<() => void> };
if (registry[atExit] === undefined) {
  const kills = (registry[atExit] = new Set());
  process.once('exit', () => kills.forEach((kill) => kill()));
}
registry[atExit].add(() => killLeftovers({ close: true }));
