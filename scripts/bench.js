// `npm run bench -- <name>|all|list`: builds (and bundles the agent, which the footprint bench
// measures too), then runs benchmarks from loadtest/src/bench.
import { execFileSync, spawnSync } from 'node:child_process';

execFileSync('npx', ['tsc', '-b'], { stdio: 'inherit' });
execFileSync(process.execPath, ['agent/scripts/bundle.js'], { stdio: 'inherit' });
const result = spawnSync(
  process.execPath,
  ['--expose-gc', 'loadtest/dist/bench/main.js', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
