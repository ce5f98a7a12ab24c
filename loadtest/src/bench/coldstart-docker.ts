// `npm run bench -- coldstart-docker`: the honest cold start — agent containers on Docker
// (WARMGATE_POOL_RUNTIME=docker, images from `npm run images`) — against the warm claim,
// and the local runtime's warm claim measured in the same run as the baseline the Docker
// claim path must match (goal: docker warm p50 within 1.2× of local warm p50; cold/warm ≥ 50).
//   cold = container created → started → ready (agent + sidecar) → bound to the user's
//          200-file / 2 MB repository (put in the container's folder by the pool manager at
//          claim, moved into place by the sidecar; pushes go over loopback HTTP)
//   warm = claim a warm container → bound; warm_parallel_20 = 20 users at once
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createLocalRuntime } from '@warmgate/pool-manager';
import { measureConnect, type ConnectMeasurement } from './coldstart.js';
import { printTable, writeResult, type Summary } from './harness.js';

const IMAGES = ['warmgate/agent:dev', 'warmgate/gateway:dev', 'warmgate/pool-manager:dev'];
// `--quick`: fewer samples and a pool of 6, for iterating (the report's figures come from a full run).
const quick = process.argv.includes('--quick');
const shape = quick
  ? { coldRuns: 2, warmRuns: 8, parallel: 6, bursts: 1, replenishRounds: 1 }
  : { coldRuns: 5, warmRuns: 20, parallel: 20, bursts: 1, replenishRounds: 1 };

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

export async function run(): Promise<void> {
  const image = process.env.WARMGATE_POOL_DOCKER_IMAGE || 'warmgate/agent:dev';
  const sizes = imageSizes([...new Set([image, ...IMAGES])]);
  if (!sizes[image]) throw new Error(`${image} is missing: run \`npm run images\` first`);
  const loadBefore = load();
  // The pool manager makes its Docker runtime from the config, as `npm start` does: with
  // the store socket each container reaches the store through.
  const docker = await measureConnect({
    ...shape,
    env: {
      WARMGATE_POOL_RUNTIME: 'docker',
      WARMGATE_POOL_DOCKER_IMAGE: image,
      WARMGATE_POOL_READY_TIMEOUT: '120s',
    },
  });
  const loadDocker = load();
  const local = await measureConnect({
    ...shape,
    coldRuns: Math.min(2, shape.coldRuns),
    makeRuntime: async (config, containerSecrets) =>
      createLocalRuntime({ ...config.runtime, containerSecrets }),
  });
  const loadLocal = load();
  // The local runtime again, but binding through the same loopback HTTP store as Docker
  // (WARMGATE_POOL_RUNTIME=docker picks the store; the runtime is still local processes):
  // what is left between this and Docker is what containers cost on the claim path.
  const localHttp = await measureConnect({
    ...shape,
    coldRuns: Math.min(2, shape.coldRuns),
    env: { WARMGATE_POOL_RUNTIME: 'docker' },
    makeRuntime: async (config, containerSecrets) =>
      createLocalRuntime({ ...config.runtime, containerSecrets }),
  });
  const loadLocalHttp = load();
  report(docker, local, localHttp, sizes, {
    before: loadBefore,
    after_docker: loadDocker,
    after_local: loadLocal,
    after_local_http_store: loadLocalHttp,
  });
}

function report(
  docker: ConnectMeasurement,
  local: ConnectMeasurement,
  localHttp: ConnectMeasurement,
  sizes: Record<string, number>,
  loadavg: Record<string, string>,
) {
  const row = (name: string, s: Summary, loadAfter: string) => ({
    measure: name,
    n: s.n,
    p50_ms: s.p50_ms,
    p95_ms: s.p95_ms,
    p99_ms: s.p99_ms,
    max_ms: s.max_ms,
    loadavg_after: loadAfter,
  });
  printTable('connect latency on Docker vs the local runtime (same run), 200 files / 2 MB', [
    row('docker cold (create → start → ready → bound)', docker.cold, loadavg.after_docker!),
    row('docker warm (claim → bound)', docker.warm, loadavg.after_docker!),
    row(`docker warm, ${shape.parallel} in parallel`, docker.burst, loadavg.after_docker!),
    row('local cold (process spawn → bound)', local.cold, loadavg.after_local!),
    row('local warm (claim → bound)', local.warm, loadavg.after_local!),
    row(`local warm, ${shape.parallel} in parallel`, local.burst, loadavg.after_local!),
    row('local warm, HTTP store like docker', localHttp.warm, loadavg.after_local_http_store!),
    row(
      `local warm, HTTP store, ${shape.parallel} in parallel`,
      localHttp.burst,
      loadavg.after_local_http_store!,
    ),
  ]);
  // Where a sequential warm claim spends its time on each runtime (p50 of each phase): what
  // Docker does on the claim path that the local runtime does not shows up as a difference.
  const phaseNames = [
    ...new Set([docker, local, localHttp].flatMap((m) => Object.keys(m.warmPhases))),
  ].filter((name) => name !== 'status_calls');
  const p50Of = (m: ConnectMeasurement, name: string) => {
    const value = (m.warmPhases as Record<string, Summary | number>)[name];
    return typeof value === 'object' ? value.p50_ms : '';
  };
  printTable(
    'sequential warm claim by phase, p50 ms',
    phaseNames.map((name) => ({
      phase: name,
      docker: p50Of(docker, name),
      local: p50Of(local, name),
      'local, HTTP store': p50Of(localHttp, name),
    })),
  );
  const round = (x: number) => Math.round(x * 100) / 100;
  const ratio = round(docker.cold.p50_ms / docker.warm.p50_ms);
  const dockerOverLocal = round(docker.warm.p50_ms / local.warm.p50_ms);
  const dockerOverLocalP99 = round(docker.warm.p99_ms / local.warm.p99_ms);
  const dockerOverLocalHttp = round(docker.warm.p50_ms / localHttp.warm.p50_ms);
  printTable(
    'image sizes',
    Object.entries(sizes).map(([image, bytes]) => ({ image, mb: round(bytes / 1e6) })),
  );
  console.log(`\ndocker cold / docker warm (p50): ${ratio}× (goal ≥ 50)`);
  console.log(`docker warm / local warm (p50): ${dockerOverLocal}× (goal ≤ 1.2)`);
  console.log(
    `docker warm / local warm through the same HTTP store (p50): ${dockerOverLocalHttp}× (what containers cost)`,
  );
  console.log(
    `load average: before ${loadavg.before}; after docker ${loadavg.after_docker}; after local ${loadavg.after_local}`,
  );
  const pick = (s: Summary) => ({ p50_ms: s.p50_ms, p95_ms: s.p95_ms, p99_ms: s.p99_ms });
  writeResult('coldstart-docker', {
    cold: pick(docker.cold),
    warm: pick(docker.warm),
    warm_parallel_20: pick(docker.burst),
    ratio_cold_over_warm_p50: ratio,
    local: {
      cold: pick(local.cold),
      warm: pick(local.warm),
      warm_parallel_20: pick(local.burst),
    },
    // The key: docker warm p50 / local warm p50, both measured in this run.
    docker_over_local_warm_p50: dockerOverLocal,
    ratio_docker_over_local_warm_p50: dockerOverLocal,
    ratio_docker_over_local_warm_p99: dockerOverLocalP99,
    local_http_store: { warm: pick(localHttp.warm), warm_parallel_20: pick(localHttp.burst) },
    ratio_docker_over_local_http_store_warm_p50: dockerOverLocalHttp,
    goals: { ratio_cold_over_warm_p50_min: 50, ratio_docker_over_local_warm_p50_max: 1.2 },
    fill_ms: { docker: Math.round(docker.fillMs), local: Math.round(local.fillMs) },
    image_sizes_bytes: sizes,
    loadavg,
    samples: { cold: docker.cold.n, warm: docker.warm.n, warm_parallel_20: docker.burst.n },
    phases: {
      docker: { warm: docker.warmPhases, warm_parallel_20: docker.burstPhases },
      local: { warm: local.warmPhases },
      local_http_store: { warm: localHttp.warmPhases },
    },
    repository: { files: 200, bytes: 2 * 1024 * 1024 },
    ...(quick ? { quick: true } : {}),
  });
}

function imageSizes(images: readonly string[]): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const image of images) {
    try {
      const out = execFileSync('docker', ['image', 'inspect', '--format', '{{.Size}}', image], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      sizes[image] = Number(out.trim());
    } catch {
      // not built
    }
  }
  return sizes;
}
