// `npm start`: build, then run the whole stack on one machine with the embedded defaults.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

execFileSync('npx', ['tsc', '-b'], { stdio: 'inherit' });
const entry = 'gateway/dist/stack/main.js';
if (!existsSync(entry)) {
  console.log('warmgate: the stack is not built yet (the gateway has not landed).');
  process.exit(0);
}
const child = spawn(process.execPath, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
