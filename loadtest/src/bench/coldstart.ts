// `npm run bench -- coldstart`: what a user waits for when connecting, with real agent
// processes (local runtime) and a realistic user repository (200 files, 2 MB):
//   cold  = create (agent + sidecar start) → ready → bound
//   warm  = claim a warm container → bound, one at a time on an otherwise idle pool
//   warm_parallel_20 = 20 users connecting at once to a pool with 20 warm containers
// Measured at the gateway's side of Pool.Acquire (gRPC over loopback), plus where the time
// goes inside the pool manager (health check, claim record, sidecar Bind).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthMode, poolv1 } from '@warmgate/proto';
import { bearerHeaders, createClient } from '@warmgate/proto/grpc';
import {
  createGrpcLifecycle,
  createLocalRuntime,
  type Runtime,
  loadConfig,
  startPoolManager,
  containerSecrets,
  type LifecyclePort,
  type PoolManagerConfig,
  type ContainerSecrets,
} from '@warmgate/pool-manager';
import { printTable, summarize, writeResult, type Summary } from './harness.js';

const coldRuns = 8;
const warmRuns = 20;
const parallel = 20;
const bursts = 2;
const files = 200;
const repoBytes = 2 * 1024 * 1024;

export async function run(): Promise<void> {
  const m = await measureConnect({
    makeRuntime: async (config, secrets) =>
      createLocalRuntime({ ...config.runtime, containerSecrets: secrets }),
  });
  report(m.cold, m.warm, m.burst, m.warmPhases, m.burstPhases);
}

export interface ConnectOptions {
  /** Extra pool manager settings (e.g. WARMGATE_POOL_RUNTIME=docker). */
  readonly env?: Record<string, string>;
  readonly makeRuntime: (config: PoolManagerConfig, secrets: ContainerSecrets) => Promise<Runtime>;
  readonly coldRuns?: number;
  readonly warmRuns?: number;
  readonly parallel?: number;
  readonly bursts?: number;
}

export interface ConnectMeasurement {
  readonly fillMs: number;
  readonly cold: Summary;
  readonly warm: Summary;
  readonly burst: Summary;
  readonly warmPhases: Phases;
  readonly burstPhases: Phases;
}

/**
 * One pool manager on `makeRuntime`'s runtime: `coldRuns` cold connects, then `warmRuns`
 * warm claims one at a time, then `bursts` × `parallel` warm claims at once; each user has
 * the 200-file / 2 MB repository. Also used by coldstart-docker (both runtimes, one run).
 */
export async function measureConnect(options: ConnectOptions): Promise<ConnectMeasurement> {
  const cold$ = options.coldRuns ?? coldRuns;
  const warm$ = options.warmRuns ?? warmRuns;
  const parallel$ = options.parallel ?? parallel;
  const bursts$ = options.bursts ?? bursts;
  const sandbox = mkdtempSync(join(tmpdir(), 'warmgate-coldstart-'));
  const storeDir = join(sandbox, 'store');
  const template = makeUserRepository(sandbox);
  const poolSecret = randomBytes(32).toString('base64url');
  const secrets = containerSecrets(poolSecret);
  const phases = timedLifecycle(createGrpcLifecycle(secrets));
  const config = loadConfig({
    ...process.env,
    WARMGATE_POOL_SECRET: poolSecret,
    WARMGATE_POOL_PORT: '0',
    WARMGATE_POOL_METRICS_PORT: '0',
    WARMGATE_POOL_STATE_DIR: join(sandbox, 'containers'),
    WARMGATE_STORE_DIR: storeDir,
    WARMGATE_POOL_PROFILES: `cold:min=0:max=${cold$ + 2},warm:min=${parallel$}:max=${parallel$ * 4}`,
    WARMGATE_POOL_TIERS: 'cold=cold:60m,warm=warm:60m',
    WARMGATE_POOL_ADAPTIVE: 'false',
    WARMGATE_POOL_SHUTDOWN_GRACE: '60s',
    ...options.env,
  });
  const inner = await options.makeRuntime(config, secrets);
  const runtime: Runtime = {
    ...inner,
    async claim(id, record) {
      const started = performance.now();
      const container = await inner.claim(id, record);
      phases.record('claim record (Runtime.claim: temp file + link)', performance.now() - started);
      return container;
    },
  };
  const pool = await startPoolManager(config, {
    runtime,
    lifecycle: phases.port,
    log: () => {},
  });
  const client = createClient(poolv1.Pool, pool.address, { headers: bearerHeaders(pool.secret) });
  let users = 0;
  const acquire = async (tier: 'cold' | 'warm', expected: poolv1.AcquireSource) => {
    const userId = `bench-${users++}`;
    cpSync(template, join(storeDir, `${userId}.git`), { recursive: true });
    const started = performance.now();
    const response = await client.acquire({ userId, tier, mode: AuthMode.GATEWAY });
    const ms = performance.now() - started;
    if (response.source !== expected) {
      throw new Error(
        `${userId}: expected ${poolv1.AcquireSource[expected]}, got ${poolv1.AcquireSource[response.source]}`,
      );
    }
    phases.record('Acquire inside the pool manager (duration_ms)', response.durationMs);
    return ms;
  };
  try {
    const fillMs = await waitForWarm(client, 'warm', parallel$);
    console.log(
      `${inner.kind}: pool of ${parallel$} warm containers filled in ${(fillMs / 1000).toFixed(1)} s`,
    );
    const cold: number[] = [];
    for (let i = 0; i < cold$; i++) cold.push(await acquire('cold', poolv1.AcquireSource.COLD));
    phases.reset();
    const warm: number[] = [];
    for (let i = 0; i < warm$; i++) {
      await waitForWarm(client, 'warm', parallel$);
      warm.push(await acquire('warm', poolv1.AcquireSource.WARM));
    }
    const warmPhases = phases.summary();
    phases.reset();
    const burst: number[] = [];
    for (let b = 0; b < bursts$; b++) {
      await waitForWarm(client, 'warm', parallel$);
      const times = await Promise.all(
        Array.from({ length: parallel$ }, () => acquire('warm', poolv1.AcquireSource.WARM)),
      );
      burst.push(...times);
    }
    const burstPhases = phases.summary();
    return {
      fillMs,
      cold: summarize(cold),
      warm: summarize(warm),
      burst: summarize(burst),
      warmPhases,
      burstPhases,
    };
  } finally {
    client.close();
    await pool.close();
    rmSync(sandbox, { recursive: true, force: true });
  }
}

export type Phases = Record<string, Summary | number>;

function report(
  cold: Summary,
  warm: Summary,
  burst: Summary,
  warmPhases: Phases,
  burstPhases: Phases,
) {
  const row = (name: string, s: Summary) => ({
    measure: name,
    n: s.n,
    p50_ms: s.p50_ms,
    p95_ms: s.p95_ms,
    p99_ms: s.p99_ms,
    max_ms: s.max_ms,
  });
  printTable(`connect latency, user repository of ${files} files / ${repoBytes / 2 ** 20} MB`, [
    row('cold (create → ready → bound)', cold),
    row('warm (claim → bound)', warm),
    row(`warm, ${parallel} in parallel`, burst),
  ]);
  const phaseRows = (label: string, p: Phases) =>
    Object.entries(p).flatMap(([name, s]) =>
      typeof s === 'object' ? [row(`${label}: ${name}`, s)] : [],
    );
  printTable('where a warm claim spends its time (inside the pool manager)', [
    ...phaseRows('sequential', warmPhases),
    ...phaseRows(`${parallel} parallel`, burstPhases),
  ]);
  console.log(
    `GetStatus calls (background health probes; none on the claim path while fresh): ` +
      `${warmPhases.status_calls} during the sequential claims, ${burstPhases.status_calls} during the bursts`,
  );
  const ratio = Math.round((cold.p50_ms / warm.p50_ms) * 10) / 10;
  console.log(`\ncold / warm (p50): ${ratio}×`);
  const pick = (s: Summary) => ({ p50_ms: s.p50_ms, p95_ms: s.p95_ms, p99_ms: s.p99_ms });
  writeResult('coldstart', {
    cold: pick(cold),
    warm: pick(warm),
    warm_parallel_20: pick(burst),
    ratio_cold_over_warm_p50: ratio,
    samples: { cold: cold.n, warm: warm.n, warm_parallel_20: burst.n },
    phases: { warm: warmPhases, warm_parallel_20: burstPhases },
    repository: { files, bytes: repoBytes },
  });
}

/** Polls Pool.GetStatus until `profile` has `count` warm containers (bounded). */
async function waitForWarm(
  client: ReturnType<typeof createClient<typeof poolv1.Pool>>,
  profile: string,
  count: number,
): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < 7200; i++) {
    const { state } = await client.getStatus({});
    const p = state?.profiles.find((x) => x.profile === profile);
    if (p && p.warm >= count) {
      // Let the newest container finish its start-up work (JIT, first GC) before measuring.
      await new Promise((resolve) => setTimeout(resolve, 250));
      return performance.now() - started;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the ${profile} pool did not reach ${count} warm containers in 6 minutes`);
}

/**
 * Wraps the sidecar client to time each Bind (as the pool manager sees it, and as the
 * sidecar reports it) and to count health checks (GetStatus: background probes included).
 */
function timedLifecycle(inner: LifecyclePort) {
  let samples: Record<string, number[]> = {};
  let statusCalls = 0;
  const add = (name: string, ms: number) => (samples[name] ??= []).push(ms);
  const port: LifecyclePort = {
    async bind(container, request, timeoutMs) {
      const started = performance.now();
      const response = await inner.bind(container, request, timeoutMs);
      add('Bind round trip (pool manager → sidecar)', performance.now() - started);
      add('  of which restore + agent hand-over (sidecar)', response.durationMs);
      return response;
    },
    drain: (c, b, t) => inner.drain(c, b, t),
    status: (c, t) => {
      statusCalls++;
      return inner.status(c, t);
    },
    forget: (c) => inner.forget(c),
    close: () => inner.close(),
  };
  return {
    port,
    record: add,
    reset: () => {
      samples = {};
      statusCalls = 0;
    },
    summary: () => ({
      ...Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)])),
      status_calls: statusCalls,
    }),
  };
}

/** A bare repository of `files` files, `repoBytes` in all, like a user's trading workspace. */
function makeUserRepository(sandbox: string): string {
  const work = join(sandbox, 'template-work');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, stdio: 'ignore' });
  mkdirSync(work, { recursive: true });
  git('init', '-q', '-b', 'main');
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const folders = ['indicators', 'strategies', 'conversations', 'charts', 'notes'];
  const size = Math.floor(repoBytes / files);
  for (let i = 0; i < files; i++) {
    const folder = join(work, folders[i % folders.length]!);
    mkdirSync(folder, { recursive: true });
    const bytes = Buffer.alloc(size);
    for (let b = 0; b < size; b++) bytes[b] = 32 + Math.floor(random() * 94);
    writeFileSync(join(folder, `item-${i}.md`), bytes);
  }
  git('add', '-A');
  git(
    '-c',
    'user.name=bench',
    '-c',
    'user.email=bench@warmgate.local',
    'commit',
    '-q',
    '-m',
    'seed',
  );
  const bare = join(sandbox, 'template.git');
  execFileSync('git', ['clone', '-q', '--bare', work, bare], { stdio: 'ignore' });
  return bare;
}
