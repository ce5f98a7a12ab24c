// create → ready of one Warmgate container (agent + sidecar) on the Docker runtime, for each
// agent (typescript, typescript-mcp, python), interleaved round by round, so the figures of one
// run compare under the same load; the load average is printed before and after.
//   npx tsc -b && flock /tmp/warmgate-heavy.lock node scripts/docker-create-time.js [rounds=5]
// Images: WARMGATE_POOL_DOCKER_IMAGE (default warmgate/agent:dev) and
// WARMGATE_TEST_AGENT_PY_IMAGE (default warmgate/agent-py:dev), from `npm run images`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
const pm = fileURLToPath(new URL('../pool-manager/dist', import.meta.url));
const { startDockerRuntime } = await import(`${pm}/runtime/docker/index.js`);
const { containerSecrets } = await import(`${pm}/runtime/container-secret.js`);
const { parseDockerLimits } = await import(`${pm}/runtime/docker/docker-limits.js`);
const rounds = Number(process.argv[2] ?? 5);
const stateDir = mkdtempSync(join(tmpdir(), 'wg-create-'));
const agents = ['typescript', 'typescript-mcp', 'python'];
const runtime = await startDockerRuntime({
  stateDir,
  image: process.env.WARMGATE_POOL_DOCKER_IMAGE || 'warmgate/agent:dev',
  agentImages: {
    python: { image: process.env.WARMGATE_TEST_AGENT_PY_IMAGE || 'warmgate/agent-py:dev' },
  },
  limits: parseDockerLimits('*:cpus=1:memory=512m:pids=256'),
  profiles: ['standard'],
  agents,
  containerSecrets: containerSecrets('bench-secret-0123456789abcdef0123456789'),
  readyTimeoutMs: 120_000,
});
const times = Object.fromEntries(agents.map((a) => [a, []]));
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`load before: ${load()}`);
try {
  for (let round = 0; round < rounds; round++) {
    for (const agent of agents) {
      const start = performance.now();
      const c = await runtime.create({ name: 'standard', agent });
      times[agent].push(performance.now() - start);
      await runtime.destroy(c.id);
    }
  }
} finally {
  for (const c of await runtime.list()) await runtime.destroy(c.id).catch(() => {});
  await runtime.close();
  rmSync(stateDir, { recursive: true, force: true });
}
const p50 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const agent of agents) {
  console.log(
    `${agent}: create→ready p50 ${p50(times[agent]).toFixed(0)} ms (${times[agent].map((t) => t.toFixed(0)).join(', ')}); ratio to typescript ${(p50(times[agent]) / p50(times.typescript)).toFixed(2)}`,
  );
}
console.log(`load after: ${load()}`);
