// `npm run loadtest -- <scenario> [options]`: builds, then runs k6 scenarios from loadtest/k6
// against a stack it starts on loopback (see loadtest/README.md).
import { spawn, spawnSync } from 'node:child_process';

const build = spawnSync('npx', ['tsc', '-b'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.error('loadtest: the build failed (npx tsc -b); fix it, then run again.');
  process.exit(1);
}
const child = spawn(
  process.execPath,
  ['loadtest/dist/loadtest/main.js', ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
// The runner handles Ctrl-C itself (stops k6 and the stack); pass SIGTERM on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
