// CI guard: regenerating the code from proto/ must leave no diff, and buf lint must be clean.
import { execFileSync } from 'node:child_process';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
run('npx', ['buf', 'lint']);
run('npx', ['buf', 'generate']);
const diff = execFileSync('git', ['status', '--porcelain', '--', 'proto/src/gen'], {
  encoding: 'utf8',
});
if (diff.trim()) {
  console.error(`generated code is stale; run \`npm run generate\` and commit:\n${diff}`);
  process.exit(1);
}
console.log('generate:check: generated code is up to date, buf lint clean');
