// `npm start`: build (TypeScript, then the web chat bundle), then run the whole stack on one machine with the embedded defaults
// (gateway/dist/stack/main.js: pool manager with the local-process runtime + gateway).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

execFileSync('npx', ['tsc', '-b'], { stdio: 'inherit' });
// The web chat bundle (esbuild): gateway/dist/web.
execFileSync(process.execPath, ['gateway/scripts/build-web.js'], { stdio: 'inherit' });
const entry = 'gateway/dist/stack/main.js';
if (!existsSync(entry)) {
  console.error(`warmgate: ${entry} is missing after the build.`);
  process.exit(1);
}
// Its own process group: a terminal's Ctrl-C reaches npm, this script and the stack at once,
// and npm forwards it again; the stack must see one signal (a second one means "exit now").
const child = spawn(process.execPath, [entry, ...process.argv.slice(2)], {
  stdio: 'inherit',
  detached: true,
});
let lastForward = 0;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    const now = Date.now();
    if (now - lastForward < 1000) return; // the same Ctrl-C, delivered twice
    lastForward = now;
    child.kill(signal);
  });
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
