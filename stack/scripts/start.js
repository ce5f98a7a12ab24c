// `npm start`: build (TypeScript, then the web chat and agent bundles), then run the whole stack on one machine with the embedded defaults
// (stack/dist/main.js: pool manager with the local-process runtime + gateway).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

execFileSync('npx', ['tsc', '-b'], { stdio: 'inherit' });
// The web chat bundle (esbuild): gateway/dist/web.
execFileSync(process.execPath, ['gateway/scripts/build-web.js'], { stdio: 'inherit' });
// The agent's bundle (esbuild): what the local runtime starts while it is fresh
// (pool-manager agent-entry.ts).
execFileSync(process.execPath, ['agent/scripts/bundle.js'], { stdio: 'inherit' });
if (process.env.WARMGATE_POOL_RUNTIME === 'docker') {
  ensureImage(process.env.WARMGATE_POOL_DOCKER_IMAGE || 'warmgate/agent:dev', 'agent');
  // WARMGATE_AGENT=python: the Python agent's image (stack/src/agent-choice.ts names it).
  if (process.env.WARMGATE_AGENT?.trim() === 'python' && !process.env.WARMGATE_POOL_AGENT_IMAGES) {
    ensureImage('warmgate/agent-py:dev', 'agent-py');
  }
}
const entry = 'stack/dist/main.js';
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

/** WARMGATE_POOL_RUNTIME=docker: Docker must answer and the image exist (built if missing). */
function ensureImage(image, name) {
  const found = spawnSync('docker', ['image', 'inspect', image], { stdio: 'ignore' });
  if (found.status === 0) {
    console.error(`warmgate: ${name} containers from ${image} (npm run images rebuilds it)`);
    return;
  }
  console.error(`warmgate: ${image} is missing; building it (npm run images -- ${name})…`);
  const built = spawnSync(process.execPath, ['scripts/images.js', name], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
