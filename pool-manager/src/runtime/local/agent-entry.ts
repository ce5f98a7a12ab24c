// The local runtime's default agent entry: the agent's esbuild bundle (agent/dist/bundle/
// main.js, agent/scripts/bundle.js) while it is newer than every file it was built from, else
// agent/dist/main.js. The bundle halves a container process's start-up CPU (one file instead
// of ~900 modules to resolve and compile) and holds about 4 MiB less per process
// (docs/benchmarks.md, footprint); `npx tsc -b` does not rebuild it, so a bundle older than
// its inputs is stale and not used.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The bundle beside `distMain` (agent/dist/main.js) if it is fresh, else `distMain`. */
export function defaultAgentEntry(distMain: string): string {
  const bundleDir = join(dirname(distMain), 'bundle');
  const bundle = join(bundleDir, 'main.js');
  try {
    const { builtAtMs, inputs } = JSON.parse(
      readFileSync(join(bundleDir, 'inputs.json'), 'utf8'),
    ) as { builtAtMs: number; inputs: string[] };
    statSync(bundle);
    const fresh = inputs.every((input) => statSync(resolve(bundleDir, input)).mtimeMs <= builtAtMs);
    return fresh ? bundle : distMain;
  } catch {
    // No bundle, or an input gone: agent/dist as built.
    return distMain;
  }
}
