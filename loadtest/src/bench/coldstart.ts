// `npm run bench -- coldstart`: what a user waits for when connecting, with real agent
// processes (local runtime) and a realistic user repository (200 files, 2 MB):
//   cold  = create (agent + sidecar start) → ready → bound
//   warm  = claim a warm container → bound, one at a time on an otherwise idle pool
//   warm_parallel_20 = 20 users connecting at once to a pool with 20 warm containers
//   replenish_on / replenish_off = claims back to back (no wait for the pool to refill), with
//          the pool starting replacements as in production vs with every replacement held
//          until the round ends; alternating rounds in the same run
//   e2e  = through the real gateway (`npm start`'s stack in a child process): WebSocket
//          connect (token in the upgrade) → authenticated → first user-tool result
//          (profile_get), new users, 20 warm containers, replenishment on; one user at a
//          time, then 20 at once
// Measured at the gateway's side of Pool.Acquire (gRPC over loopback), plus where the time
// goes inside the pool manager (health check, claim record, sidecar Bind).
// Flags: `--quick` (fewer samples, for a loaded machine), `--e2e-only`, `--cpu-prof=DIR`
// (the e2e stack and every agent/sidecar it starts write V8 CPU profiles to DIR),
// `--agents=typescript,python` (the default; agents.ts): every figure per agent, one after the
// other in the same run, then each later agent over the first (python / typescript).
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { SignJWT } from 'jose';
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
import { agentPoolEnv, benchAgents, prepareAgents, ratioRows, ratios } from './agents.js';
import { printTable, summarize, writeResult, type Summary } from './harness.js';
import { startStack } from './stack.js';
import { makeStoreRepository } from './store-repository.js';

const quick = process.argv.includes('--quick');
const e2eOnly = process.argv.includes('--e2e-only');
const cpuProfDir = process.argv.find((a) => a.startsWith('--cpu-prof='))?.slice(11);
const coldRuns = quick ? 3 : 8;
const warmRuns = quick ? 8 : 20;
const parallel = 20;
const bursts = quick ? 1 : 2;
/** Claims per replenishment round, rounds per setting (on, off alternating). */
const replenishClaims = 5;
const replenishRounds = quick ? 1 : 2;
const e2eSingles = quick ? 6 : 12;
const files = 200;
const repoBytes = 2 * 1024 * 1024;

export interface ConnectOptions {
  /** Extra pool manager settings (e.g. WARMGATE_POOL_RUNTIME=docker). */
  readonly env?: Record<string, string>;
  /**
   * The runtime; unset: the one the config names, made by the pool manager itself (the
   * Docker runtime needs the store socket the pool manager serves).
   */
  readonly makeRuntime?: (config: PoolManagerConfig, secrets: ContainerSecrets) => Promise<Runtime>;
  readonly coldRuns?: number;
  readonly warmRuns?: number;
  readonly parallel?: number;
  readonly bursts?: number;
  /** Rounds of claims with replenishment held vs on (0: not measured). */
  readonly replenishRounds?: number;
}

export type ConnectMeasurement = Awaited<ReturnType<typeof measureConnect>>;

/** The local runtime, as `npm start` runs it. */
const localRuntime = async (config: PoolManagerConfig, secrets: ContainerSecrets) =>
  createLocalRuntime({ ...config.runtime, containerSecrets: secrets });

/**
 * One pool manager on `makeRuntime`'s runtime: `coldRuns` cold connects, then `warmRuns`
 * warm claims one at a time, then `bursts` × `parallel` warm claims at once, then claims with
 * replenishment held vs on; each user has the 200-file / 2 MB repository. Also used by
 * coldstart-docker (both runtimes, one run).
 */
export async function measureConnect(options: ConnectOptions) {
  const cold$ = options.coldRuns ?? coldRuns;
  const warm$ = options.warmRuns ?? warmRuns;
  const parallel$ = options.parallel ?? parallel;
  const bursts$ = options.bursts ?? bursts;
  const replenishRounds$ = options.replenishRounds ?? replenishRounds;
  // max counts warm + starting + bound, and no binding ends during the run: room for every
  // claim the run makes plus a full warm pool after the last (the full run's 80 claims did
  // not fit the old parallel × 4, and its last round waited for a pool that could not refill).
  const warmMax = parallel$ + warm$ + bursts$ * parallel$ + replenishRounds$ * 2 * replenishClaims;
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
    WARMGATE_POOL_PROFILES: `cold:min=0:max=${cold$ + 2},warm:min=${parallel$}:max=${warmMax}`,
    WARMGATE_POOL_TIERS: 'cold=cold:60m,warm=warm:60m',
    WARMGATE_POOL_ADAPTIVE: 'false',
    WARMGATE_POOL_SHUTDOWN_GRACE: '60s',
    ...options.env,
  });
  const given = await options.makeRuntime?.(config, secrets);
  // Replenishment "off": every create waits until the gate opens again.
  let gate: { opened: Promise<void>; open: () => void } | undefined;
  const timed = (local: Runtime): Runtime => ({
    ...local,
    async create(profile, signal, how) {
      while (gate) await gate.opened;
      return local.create(profile, signal, how);
    },
    async claim(id, record) {
      const started = performance.now();
      const container = await local.claim(id, record);
      phases.record(
        'claim (Runtime.claim: record; Docker: + repository copy)',
        performance.now() - started,
      );
      return container;
    },
  });
  let kind = given?.kind ?? config.runtime.kind;
  const pool = await startPoolManager(config, {
    ...(given ? { runtime: given } : {}),
    wrapRuntime: (runtime) => {
      kind = runtime.kind;
      return timed(runtime);
    },
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
      `${kind}: pool of ${parallel$} warm containers filled in ${(fillMs / 1000).toFixed(1)} s`,
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
    const replenish: Record<'on' | 'off', number[]> = { on: [], off: [] };
    for (let r = 0; r < replenishRounds$; r++) {
      for (const setting of ['off', 'on'] as const) {
        await waitForWarm(client, 'warm', parallel$);
        if (setting === 'off') {
          let open = () => {};
          const opened = new Promise<void>((resolve) => (open = resolve));
          gate = { opened, open };
        }
        for (let i = 0; i < replenishClaims; i++)
          replenish[setting].push(await acquire('warm', poolv1.AcquireSource.WARM));
        const held = gate;
        gate = undefined;
        held?.open();
      }
    }
    return {
      fillMs,
      cold: summarize(cold),
      warm: summarize(warm),
      burst: summarize(burst),
      warmPhases,
      burstPhases,
      replenishOn: summarize(replenish.on),
      replenishOff: summarize(replenish.off),
    };
  } finally {
    gate?.open();
    client.close();
    await pool.close();
    rmSync(sandbox, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  if (process.argv.includes('--compare-replenish-concurrency')) return compareReplenish();
  const agents = benchAgents();
  await prepareAgents(agents);
  const byAgent: Record<
    string,
    { fields: Record<string, unknown>; figures: Figures; loadEnd: number }
  > = {};
  for (const agent of agents) {
    console.log(`\n--- agent: ${agent}`);
    const loadStart = loadavg()[0]!;
    const pool = e2eOnly
      ? undefined
      : await measureConnect({ makeRuntime: localRuntime, env: agentPoolEnv(agent) });
    const loadPool = loadavg()[0]!;
    const e2e = await endToEnd({
      cpuProfDir,
      env: agent === 'typescript' ? {} : { WARMGATE_AGENT: agent },
    });
    const loadEnd = loadavg()[0]!;
    byAgent[agent] = {
      ...report(agent, pool, e2e, { start: loadStart, after_pool_part: loadPool, end: loadEnd }),
      loadEnd,
    };
  }
  const [first, ...others] = agents;
  const compared: Record<string, unknown> = {};
  for (const other of others) {
    const loads = [first!, other]
      .map((agent) => `${agent} ${byAgent[agent]!.loadEnd.toFixed(2)}`)
      .join(', ');
    printTable(
      `${other} / ${first} in this run (load average at the end of each agent's part: ${loads})`,
      ratioRows(first!, other, {
        [first!]: byAgent[first!]!.figures,
        [other]: byAgent[other]!.figures,
      }),
    );
    compared[`${other.replace('-', '_')}_over_${first!.replace('-', '_')}`] = ratios(
      byAgent[first!]!.figures,
      byAgent[other]!.figures,
    );
  }
  writeResult(e2eOnly ? 'coldstart-e2e' : 'coldstart', {
    // The top-level figures are the first agent's (typescript by default), as before.
    agent: first,
    ...byAgent[first!]!.fields,
    agents: Object.fromEntries(agents.map((agent) => [agent, byAgent[agent]!.fields])),
    ...compared,
    ...(quick ? { quick: true } : {}),
  });
}

/** The measures compared between agents (warm claim, bursts, end to end). */
type Figures = Record<string, Summary>;

const secret = 'bench-coldstart-secret-bench-coldstart-0123';

/**
 * `-- coldstart --compare-replenish-concurrency`: the end-to-end part twice in one run, the
 * replacements after each claim started all at once (WARMGATE_POOL_REPLENISH_CONCURRENCY=0,
 * before) and at most 2 at once (the default), each on a fresh stack.
 */
async function compareReplenish(): Promise<void> {
  const runs: Record<string, E2e & { load_average: number }> = {};
  for (const limit of ['0', '2']) {
    const e2e = await endToEnd({ env: { WARMGATE_POOL_REPLENISH_CONCURRENCY: limit } });
    runs[`concurrency_${limit}`] = { ...e2e, load_average: loadavg()[0]! };
  }
  const row = (name: string, r: E2e & { load_average: number }) => [
    { measure: `${name}: one user`, ...r.single, load: r.load_average },
    { measure: `${name}: 20 at once`, ...r.burst, load: r.load_average },
  ];
  const before = runs.concurrency_0!;
  const after = runs.concurrency_2!;
  printTable('end to end, replacements started all at once vs at most 2 at once (ms)', [
    ...row('all at once', before),
    ...row('at most 2', after),
  ]);
  const result = {
    before: {
      single_p50_ms: before.single.p50_ms,
      burst_20_p99_ms: before.burst.p99_ms,
      burst_over_single: ratioOf(before.burst.p99_ms, before.single.p50_ms),
      load_average: before.load_average,
    },
    after: {
      single_p50_ms: after.single.p50_ms,
      burst_20_p99_ms: after.burst.p99_ms,
      burst_over_single: ratioOf(after.burst.p99_ms, after.single.p50_ms),
      load_average: after.load_average,
    },
    burst_p99_after_over_before: ratioOf(after.burst.p99_ms, before.burst.p99_ms),
    burst_p50_after_over_before: ratioOf(after.burst.p50_ms, before.burst.p50_ms),
    runs,
  };
  console.log(
    `\nburst of 20 p99 at most 2 / all at once: ${result.burst_p99_after_over_before}×, ` +
      `p50 ${result.burst_p50_after_over_before}× (load average ${before.load_average.toFixed(2)} → ${after.load_average.toFixed(2)})`,
  );
  writeResult('coldstart-replenish-compare', result);
}

/**
 * WebSocket connect → authenticated → first profile_get result, through the real gateway:
 * `singles` new users one at a time, then `bursts` × 20 at once. With `cpuProfDir`, the stack
 * and every agent and sidecar it starts write a V8 CPU profile there when they exit.
 */
export async function endToEnd(
  options: {
    singles?: number;
    bursts?: number;
    cpuProfDir?: string;
    env?: Record<string, string>;
  } = {},
) {
  const { singles = e2eSingles, bursts: burstCount = bursts, cpuProfDir: profDir } = options;
  const stack = await startStack({
    profiles: `standard:min=${parallel}:max=${parallel * 3}`,
    hs256Secret: secret,
    env: {
      ...options.env,
      // The stack's own process by NODE_OPTIONS; its agents and sidecars by the pool manager's
      // setting for container Node flags (a container's environment never takes NODE_OPTIONS).
      ...(profDir
        ? {
            NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profDir}`,
            WARMGATE_POOL_AGENT_EXTRA_NODE_ARGS: `--cpu-prof --cpu-prof-dir=${profDir}`,
          }
        : {}),
    },
  });
  const pool = createClient(poolv1.Pool, stack.pool, { headers: bearerHeaders(stack.poolSecret) });
  let users = 0;
  const firstResult = async () => {
    const userId = `e2e-user-${users++}`;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    const started = performance.now();
    const socket = new WebSocket(`ws://${stack.http}/ws`, {
      headers: { authorization: `Bearer ${token}` },
    } as never);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${userId}: no tool result in 120 s`)),
          120_000,
        );
        socket.addEventListener('message', (event) => {
          const frame = String(event.data);
          if (frame.includes('"authenticated"')) {
            socket.send(JSON.stringify({ id: 't1', callTool: { name: 'profile_get' } }));
          } else if (frame.includes('"t1"')) {
            clearTimeout(timer);
            if (frame.includes('"error"')) reject(new Error(`${userId}: ${frame}`));
            else resolve();
          }
        });
        socket.addEventListener('error', () => reject(new Error(`${userId}: socket error`)));
      });
      return performance.now() - started;
    } finally {
      socket.close();
    }
  };
  try {
    await waitForWarm(pool, 'standard', parallel);
    await firstResult(); // the gateway's first connect (JIT) is not a user's
    const single: number[] = [];
    for (let i = 0; i < singles; i++) {
      await waitForWarm(pool, 'standard', parallel);
      single.push(await firstResult());
    }
    const burst: number[] = [];
    for (let b = 0; b < burstCount; b++) {
      await waitForWarm(pool, 'standard', parallel);
      burst.push(...(await Promise.all(Array.from({ length: parallel }, firstResult))));
    }
    return { single: summarize(single), burst: summarize(burst) };
  } finally {
    pool.close();
    await stack.stop();
  }
}

type Phases = Record<string, Summary | number>;

type PoolPart = ConnectMeasurement;
type E2e = Awaited<ReturnType<typeof endToEnd>>;

const ratioOf = (a: number, b: number) => Math.round((a / b) * 100) / 100;

/** Prints one agent's tables; returns its result fields and the figures compared across agents. */
function report(
  agent: string,
  pool: PoolPart | undefined,
  e2e: E2e,
  load: { start: number; after_pool_part: number; end: number },
): { fields: Record<string, unknown>; figures: Figures } {
  const row = (name: string, s: Summary) => ({
    measure: name,
    n: s.n,
    p50_ms: s.p50_ms,
    p95_ms: s.p95_ms,
    p99_ms: s.p99_ms,
    max_ms: s.max_ms,
  });
  const pick = (s: Summary) => ({ p50_ms: s.p50_ms, p95_ms: s.p95_ms, p99_ms: s.p99_ms });
  const la = (v: number) => `load average ${v.toFixed(2)}`;
  let poolFields: Record<string, unknown> = {};
  if (pool) {
    const { cold, warm, burst, warmPhases, burstPhases, replenishOn, replenishOff } = pool;
    printTable(
      `${agent} agent: connect latency, user repository of ${files} files / ${repoBytes / 2 ** 20} MB (${la(load.after_pool_part)})`,
      [
        row('cold (create → ready → bound)', cold),
        row('warm (claim → bound)', warm),
        row(`warm, ${parallel} in parallel`, burst),
        row('warm back to back, replenishment on', replenishOn),
        row('warm back to back, replenishment held', replenishOff),
      ],
    );
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
    const burstOverSequential = ratioOf(burst.p99_ms, warm.p50_ms);
    const replenishOnOverOff = ratioOf(replenishOn.p50_ms, replenishOff.p50_ms);
    console.log(
      `\n${agent}: cold / warm (p50): ${ratio}× (${la(load.after_pool_part)})` +
        `\nsequential warm p50 ${warm.p50_ms} ms (goal ≤ 15), p99 ${warm.p99_ms} ms (goal ≤ 40)` +
        `\nburst of ${parallel} p99 / sequential p50: ${burstOverSequential}× (goal ≤ 4)` +
        `\nclaims with replenishment on / held (p50): ${replenishOnOverOff}× (goal ≤ 1.2)`,
    );
    poolFields = {
      cold: pick(cold),
      warm: pick(warm),
      warm_parallel_20: pick(burst),
      ratio_cold_over_warm_p50: ratio,
      burst_over_sequential: burstOverSequential,
      replenish_on: pick(replenishOn),
      replenish_off: pick(replenishOff),
      replenish_on_over_off: replenishOnOverOff,
      samples: {
        cold: cold.n,
        warm: warm.n,
        warm_parallel_20: burst.n,
        replenish_on: replenishOn.n,
        replenish_off: replenishOff.n,
      },
      phases: { warm: warmPhases, warm_parallel_20: burstPhases },
    };
  }
  printTable(
    `${agent} agent: end to end through the gateway: WebSocket connect → first profile_get result, new users (${la(load.end)})`,
    [row('one user at a time', e2e.single), row(`${parallel} at once`, e2e.burst)],
  );
  const burstOverSingle = ratioOf(e2e.burst.p99_ms, e2e.single.p50_ms);
  console.log(
    `\n${agent}: e2e one user p50 ${e2e.single.p50_ms} ms (goal ≤ 50); ${parallel} at once p99 ` +
      `${e2e.burst.p99_ms} ms = ${burstOverSingle}× one user's p50 (goal ≤ 5) — ${la(load.end)}`,
  );
  const fields = {
    ...poolFields,
    e2e: {
      single_p50_ms: e2e.single.p50_ms,
      burst_20_p99_ms: e2e.burst.p99_ms,
      burst_over_single: burstOverSingle,
      single: { ...pick(e2e.single), n: e2e.single.n },
      burst_20: { ...pick(e2e.burst), n: e2e.burst.n },
    },
    load_average: load,
    repository: { files, bytes: repoBytes },
  };
  const figures: Figures = pool
    ? {
        cold: pool.cold,
        warm: pool.warm,
        warm_parallel_20: pool.burst,
        replenish_on: pool.replenishOn,
        e2e_one_user: e2e.single,
        e2e_20_at_once: e2e.burst,
      }
    : { e2e_one_user: e2e.single, e2e_20_at_once: e2e.burst };
  return { fields, figures };
}

/** Polls Pool.GetStatus until `profile` has `count` warm containers (bounded). */
async function waitForWarm(
  client: ReturnType<typeof createClient<typeof poolv1.Pool>>,
  profile: string,
  count: number,
): Promise<number> {
  const started = performance.now();
  // 300 s: on a machine busy with other work, refilling 20 containers took over 120 s.
  for (let i = 0; i < 6000; i++) {
    const { state } = await client.getStatus({});
    const p = state?.profiles.find((x) => x.profile === profile);
    if (p && p.warm >= count) {
      // Let the newest container finish its start-up work (JIT, first GC) before measuring.
      await new Promise((resolve) => setTimeout(resolve, 250));
      return performance.now() - started;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the ${profile} pool did not reach ${count} warm containers in 300 s`);
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

/** The user's repository, `files` files and `repoBytes` in all, as the store keeps it. */
function makeUserRepository(sandbox: string): string {
  return makeStoreRepository(sandbox, 'template', {
    files,
    bytes: repoBytes,
    folders: ['indicators', 'strategies', 'conversations', 'charts', 'notes'],
    seed: 7,
  }).bare;
}
