// `npm run bench -- <name>|all|list`: builds, then runs benchmarks from loadtest/src/bench.
import { execFileSync, spawnSync } from 'node:child_process';

execFileSync('npx', ['tsc', '-b'], { stdio: 'inherit' });
const result = spawnSync(
  process.execPath,
  ['--expose-gc', 'loadtest/dist/bench/main.js', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
