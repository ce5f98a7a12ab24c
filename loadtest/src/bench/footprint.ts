// `npm run bench -- footprint`: what a warm container costs while nobody uses it, measured
// against a bare `node -e` process in the same run (ratios, so a busy machine skews less):
//   memory      VmRSS (/proc/<pid>/status) and PSS (/proc/<pid>/smaps_rollup: shared pages
//               split between the processes sharing them) of each agent and sidecar process
//               of `warm` warm containers started by a real pool manager (local runtime)
//   idle CPU    utime+stime (/proc/<pid>/stat) of those processes over a window, and the pool
//               manager's own CPU (this process; it runs the background health probes) beside it
//   growth      one bound container before bind and after 1,000 tool calls + 20 chat turns
//               (the turns as the gateway saves them: conversation_append)
//   start       a container's start to ready (agent, then sidecar, as the runtime does it)
//               vs a bare `node -e` start to its first line on stdout
// Agents (ALL_AGENTS below; WARMGATE_FOOTPRINT_ONLY picks and orders them): the TypeScript
// agent of this repository with the pool manager's default entry (the bundle) and Node flags,
// as two processes, one process, and behind the sidecar's data plane (issue 14) from
// agent/dist or from its bundle,
// and the Python agent (agent-py/) behind the data plane. Another agent is added to ALL_AGENTS
// with its own command (a profile's `agent`), or, for a Node entry, with
// WARMGATE_FOOTPRINT_AGENTS="name=/path/to/main.js[@agent][,...]" (e.g. an older build to
// compare with); every figure is then reported per agent under `agents.<name>` (the top-level
// fields are the first agent's).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AuthMode, agentv1, poolv1 } from '@warmgate/proto';
import { bearerHeaders, createClient } from '@warmgate/proto/grpc';
import { signAssertion } from '@warmgate/contract';
import {
  containerSecrets,
  createGrpcLifecycle,
  createLocalRuntime,
  loadConfig,
  parseNodeArgs,
  startPoolManager,
  type LifecyclePort,
} from '@warmgate/pool-manager';
import { printTable, summarize, writeResult } from './harness.js';

/** One agent implementation to measure: how the local runtime starts its two processes. */
interface AgentUnderTest {
  name: string;
  /** Passed to the local runtime: `<nodePath> <nodeArgs> <entry> agent|sidecar`. */
  nodePath: string;
  nodeArgs: readonly string[];
  /** 1: agent and sidecar in one process (`container` role), as WARMGATE_POOL_AGENT_PROCESSES. */
  processes: 1 | 2;
  entry: string;
  env: Record<string, string>;
  /** Pool manager settings for this agent's run (e.g. another health interval to compare). */
  poolEnv?: Record<string, string>;
  /** The profile's agent (pool-manager README): typescript, typescript-mcp or a command's name. */
  agent?: string;
  agentCommands?: Record<string, string[]>;
}

const agentMain = fileURLToPath(new URL('./main.js', import.meta.resolve('@warmgate/agent')));
/** The agent's bundle (agent/scripts/bundle.js, built by `npm run bench`). */
const agentBundle = fileURLToPath(
  new URL('./bundle/main.js', import.meta.resolve('@warmgate/agent')),
);
const poolNodeArgs = loadConfig({}).runtime.agentNodeArgs;
/** The pool manager's default entry: the bundle while it is fresh (`npm run bench` builds it). */
const poolEntry = loadConfig({}).runtime.agentEntry;

const ALL_AGENTS: AgentUnderTest[] = [
  {
    name: 'typescript',
    nodePath: process.execPath,
    nodeArgs: poolNodeArgs,
    processes: 2,
    entry: poolEntry,
    env: {},
  },
  {
    name: 'typescript-one-process',
    nodePath: process.execPath,
    nodeArgs: poolNodeArgs,
    processes: 1,
    entry: agentMain,
    env: {},
  },
  // Since issue 14 every agent is behind the sidecar's data plane: `typescript` (above, the
  // pool manager's default entry: the bundle) and `typescript-mcp` (agent/dist/main.js, the
  // modules one by one) start the same two processes (this agent in role mcp + the sidecar).
  // `python` is agent-py/.
  {
    name: 'typescript-mcp',
    nodePath: process.execPath,
    nodeArgs: poolNodeArgs,
    processes: 2,
    entry: agentMain,
    env: {},
    agent: 'typescript-mcp',
  },
  // The default agent with WARMGATE_SIDECAR_TURBOFAN=bind (its warm sidecar runs without V8's
  // optimizing compiler until the Bind: agent/src/warm-compiler.ts); only when
  // WARMGATE_FOOTPRINT_ONLY names it.
  ...(process.env.WARMGATE_FOOTPRINT_ONLY?.includes('typescript-turbofan-bind')
    ? [
        {
          name: 'typescript-turbofan-bind',
          nodePath: process.execPath,
          nodeArgs: poolNodeArgs,
          processes: 2 as const,
          entry: agentMain,
          env: { WARMGATE_SIDECAR_TURBOFAN: 'bind' },
        },
      ]
    : []),
  // The same, both processes started from the bundle (agent/scripts/bundle.js).
  {
    name: 'typescript-mcp-bundle',
    nodePath: process.execPath,
    nodeArgs: poolNodeArgs,
    processes: 2,
    entry: agentBundle,
    env: {},
    agent: 'typescript-mcp',
  },
  {
    name: 'python',
    nodePath: process.execPath,
    nodeArgs: poolNodeArgs,
    processes: 2,
    entry: agentMain,
    env: { WARMGATE_AGENT_ISOLATION: 'bwrap' },
    agent: 'python',
    agentCommands: {
      python: [fileURLToPath(new URL('../../../agent-py/bin/warmgate-agent-py', import.meta.url))],
    },
  },
  // WARMGATE_FOOTPRINT_AGENTS="name=/path/to/main.js[@agent][,...]": another build of this
  // agent's entry (e.g. the commit before a change, to compare in one run), with the pool
  // manager's Node flags or WARMGATE_FOOTPRINT_AGENTS_NODE_ARGS ("--flag --flag"; "none");
  // `@typescript-mcp` runs it behind the data plane.
  ...(process.env.WARMGATE_FOOTPRINT_AGENTS ?? '')
    .split(',')
    .filter((entry) => entry.includes('='))
    .map((entry): AgentUnderTest => {
      const [name = '', spec = ''] = entry.split('=');
      const [path = '', agent] = spec.split('@');
      const flags = process.env.WARMGATE_FOOTPRINT_AGENTS_NODE_ARGS;
      return {
        name,
        nodePath: process.execPath,
        nodeArgs: flags === undefined ? poolNodeArgs : parseNodeArgs(flags),
        processes: 2,
        entry: path,
        env: {},
        ...(agent ? { agent } : {}),
      };
    }),
  // WARMGATE_FOOTPRINT_NODE_ARGS="name=--flag --flag[;...]": the bundled data-plane agent again
  // with other Node flags for both processes (e.g. `--v8-pool-size=1`), measured in the same run.
  ...(process.env.WARMGATE_FOOTPRINT_NODE_ARGS ?? '')
    .split(';')
    .filter((entry) => entry.includes('='))
    .map((entry): AgentUnderTest => {
      const split = entry.indexOf('=');
      return {
        name: entry.slice(0, split),
        nodePath: process.execPath,
        nodeArgs: parseNodeArgs(entry.slice(split + 1)),
        processes: 2,
        entry: agentBundle,
        env: {},
        agent: 'typescript-mcp',
      };
    }),
  // WARMGATE_FOOTPRINT_HEALTH_BEFORE=30s: the TypeScript agent again with the pool manager's
  // health probe at that interval, so a change of the default is measured in the same run.
  ...(process.env.WARMGATE_FOOTPRINT_HEALTH_BEFORE
    ? [
        {
          name: `typescript-health-${process.env.WARMGATE_FOOTPRINT_HEALTH_BEFORE}`,
          nodePath: process.execPath,
          nodeArgs: poolNodeArgs,
          processes: 2 as const,
          entry: agentMain,
          env: {},
          poolEnv: {
            WARMGATE_POOL_HEALTH_INTERVAL: process.env.WARMGATE_FOOTPRINT_HEALTH_BEFORE,
          },
        },
      ]
    : []),
];

/**
 * WARMGATE_FOOTPRINT_ONLY=a,b: measure only these agents, in this order (a shared machine's
 * time is short); the first is the one the top-level figures and goals report.
 */
const only = process.env.WARMGATE_FOOTPRINT_ONLY?.split(',').filter((name) => name !== '');
const AGENTS: AgentUnderTest[] = only
  ? only.map((name) => {
      const agent = ALL_AGENTS.find((a) => a.name === name);
      if (!agent) {
        throw new Error(
          `WARMGATE_FOOTPRINT_ONLY: no agent ${name} (agents: ${ALL_AGENTS.map((a) => a.name).join(', ')})`,
        );
      }
      return agent;
    })
  : ALL_AGENTS;

const warm = Number(process.env.WARMGATE_FOOTPRINT_WARM ?? 20);
const idleWindowMs = Number(process.env.WARMGATE_FOOTPRINT_IDLE_MS ?? 60_000);
const settleMs = 3000;
/**
 * Idle means after start-up: for about a minute after ready, V8 still runs its start-up
 * garbage collections (the only work a CPU profile of an idle container shows), about 0.2 % of
 * a core per container; from a minute on, none measurable.
 */
const idleSettleMs = Number(process.env.WARMGATE_FOOTPRINT_IDLE_SETTLE_MS ?? 60_000);
/** How long a bound container is left idle after its work before the settled figure. */
const boundSettleMs = Number(process.env.WARMGATE_FOOTPRINT_BOUND_SETTLE_MS ?? 40_000);
const toolCalls = 1000;
const chatTurns = 20;
const startRuns = 8;
const CLK_TCK = 100; // USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK)

const goals = {
  container_over_bare: 2.0,
  sidecar_over_bare: 1.2,
  idle_cpu_pct_20_containers: 0.5,
  bound_growth_mib_1000_calls: 20,
};

export async function run(): Promise<void> {
  const load: { before: number; after?: number } = { before: loadavg()[0]! };
  const bare = await measureBare();
  printTable('bare node (the baseline, same run)', [
    { what: 'RSS (MiB)', value: bare.rssMib },
    { what: 'PSS (MiB)', value: bare.pssMib },
    { what: 'start → first line, p50 (ms)', value: bare.start.p50_ms },
  ]);
  const agents: Record<string, ReturnType<typeof figures>> = {};
  for (const agent of AGENTS) {
    console.log(`\n--- agent: ${agent.name}`);
    const pool = await measurePool(agent);
    const growth = await measureBound(agent);
    const start = await measureStart(agent);
    agents[agent.name] = figures(bare, pool, growth, start);
    printTable(`${agent.name}: footprint (load average now ${loadavg()[0]!.toFixed(2)})`, [
      ...Object.entries(agents[agent.name]!).flatMap(([what, value]) =>
        typeof value === 'number' ? [{ what, value }] : [],
      ),
    ]);
  }
  load.after = loadavg()[0]!;
  const first = agents[AGENTS[0]!.name]!;
  const held = Object.fromEntries(
    Object.entries(goals).map(([key, limit]) => [
      key,
      (first[key as keyof typeof first] as number) <= limit,
    ]),
  );
  console.log(`\ngoals held (${AGENTS[0]!.name}): ${JSON.stringify(held)}`);
  writeResult('footprint', {
    ...first,
    bare_node: bare,
    agents,
    goals,
    goals_held: held,
    load_average: load,
    setup: {
      warm,
      idle_settle_ms: idleSettleMs,
      idle_window_ms: idleWindowMs,
      bound_settle_ms: boundSettleMs,
      tool_calls: toolCalls,
      chat_turns: chatTurns,
    },
  });
}

interface Memory {
  rssMib: number;
  pssMib: number;
}

/** VmRSS and PSS of one process, in MiB. */
function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kib = (text: string, key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssMib: kib(status, 'VmRSS') / 1024, pssMib: kib(rollup, 'Pss') / 1024 };
}

/** utime + stime of one process, in clock ticks. */
function cpuTicksOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime (14th), stime (15th)
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

/** A bare `node -e` process: resident memory once settled, and start to first stdout line. */
async function measureBare() {
  const memories: Memory[] = [];
  for (let i = 0; i < 3; i++) {
    const child = spawn(
      process.execPath,
      ['-e', 'console.log("up"); setInterval(() => {}, 1 << 30)'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await firstLine(child.stdout!);
    await sleep(settleMs);
    memories.push(memoryOf(child.pid!));
    child.kill('SIGKILL');
  }
  const starts: number[] = [];
  for (let i = 0; i < startRuns + 2; i++) {
    const started = performance.now();
    const child = spawn(process.execPath, ['-e', 'console.log("up")'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await firstLine(child.stdout!);
    if (i >= 2) starts.push(performance.now() - started); // two warm-up runs (page cache)
    await new Promise((resolve) => child.once('exit', resolve));
  }
  return {
    rssMib: round(median(memories.map((m) => m.rssMib))),
    pssMib: round(median(memories.map((m) => m.pssMib))),
    start: summarize(starts),
  };
}

function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => createInterface({ input: stream }).once('line', resolve));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The pids of every container the local runtime keeps under `stateDir`. */
function containerPids(stateDir: string) {
  const pid = (dir: string, role: string) =>
    Number(readFileSync(join(stateDir, dir, `${role}.pid`), 'utf8'));
  return readdirSync(stateDir).map((dir) => ({
    agent: pid(dir, 'agent'),
    sidecar: pid(dir, 'sidecar'),
  }));
}

/** `warm` warm containers of a real pool manager: memory per process, and idle CPU. */
async function measurePool(agent: AgentUnderTest) {
  const sandbox = mkdtempSync(join(tmpdir(), 'warmgate-footprint-'));
  const stateDir = join(sandbox, 'containers');
  const poolSecret = randomBytes(32).toString('base64url');
  const secrets = containerSecrets(poolSecret);
  const config = loadConfig({
    ...process.env,
    WARMGATE_POOL_SECRET: poolSecret,
    WARMGATE_POOL_PORT: '0',
    WARMGATE_POOL_METRICS_PORT: '0',
    WARMGATE_POOL_STATE_DIR: stateDir,
    WARMGATE_STORE_DIR: join(sandbox, 'store'),
    WARMGATE_POOL_AGENT_ENTRY: agent.entry,
    WARMGATE_POOL_AGENT: agent.agent ?? 'typescript',
    WARMGATE_POOL_AGENT_COMMANDS: JSON.stringify(agent.agentCommands ?? {}),
    WARMGATE_POOL_PROFILES: `warm:min=${warm}:max=${warm}`,
    WARMGATE_POOL_TIERS: 'warm=warm:60m',
    WARMGATE_POOL_ADAPTIVE: 'false',
    ...agent.poolEnv,
  });
  let statusCalls = 0;
  const inner = createGrpcLifecycle(secrets);
  const lifecycle: LifecyclePort = {
    ...inner,
    bind: (c, r, t) => inner.bind(c, r, t),
    drain: (c, b, t) => inner.drain(c, b, t),
    forget: (c) => inner.forget(c),
    close: () => inner.close(),
    status: (c, t) => {
      statusCalls++;
      return inner.status(c, t);
    },
  };
  const runtime = createLocalRuntime({
    ...config.runtime,
    nodePath: agent.nodePath,
    agentNodeArgs: agent.nodeArgs,
    agentProcesses: agent.processes,
    env: agent.env,
    agentCommands: agent.agentCommands,
    containerSecrets: secrets,
  });
  const pool = await startPoolManager(config, { runtime, lifecycle, log: () => {} });
  const client = createClient(poolv1.Pool, pool.address, { headers: bearerHeaders(pool.secret) });
  try {
    const fillStarted = performance.now();
    for (;;) {
      const { state } = await client.getStatus({});
      if ((state?.profiles.find((p) => p.profile === 'warm')?.warm ?? 0) >= warm) break;
      if (performance.now() - fillStarted > 180_000)
        throw new Error(`${warm} warm containers not ready in 180 s`);
      await sleep(100);
    }
    console.log(
      `${warm} warm containers in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s`,
    );
    await sleep(settleMs);
    const pids = containerPids(stateDir);
    await sleep(Math.max(0, idleSettleMs - settleMs));
    const agents = pids.map((p) => memoryOf(p.agent));
    // One process per container: it is the agent's; no sidecar process of its own.
    const sidecars = pids.filter((p) => p.sidecar !== p.agent).map((p) => memoryOf(p.sidecar));
    // Idle CPU: every container process, and the pool manager (this process) beside them.
    const all = pids.flatMap((p) => (p.sidecar === p.agent ? [p.agent] : [p.agent, p.sidecar]));
    const isAgent = new Set(pids.map((p) => p.agent));
    const ticksBefore = all.map(cpuTicksOf);
    const selfBefore = process.cpuUsage();
    const callsBefore = statusCalls;
    const windowStarted = performance.now();
    await sleep(idleWindowMs);
    const seconds = (performance.now() - windowStarted) / 1000;
    const self = process.cpuUsage(selfBefore);
    const ticks = all.map((pid, i) => cpuTicksOf(pid) - ticksBefore[i]!);
    const pct = (cpuSeconds: number) => round((cpuSeconds / seconds) * 100, 3);
    const sum = (values: number[]) => values.reduce((s, v) => s + v, 0);
    return {
      agent: agents,
      sidecar: sidecars,
      idle: {
        window_s: round(seconds, 1),
        containers_cpu_pct: pct(sum(ticks) / CLK_TCK),
        agents_cpu_pct: pct(sum(ticks.filter((_, i) => isAgent.has(all[i]!))) / CLK_TCK),
        sidecars_cpu_pct: pct(sum(ticks.filter((_, i) => !isAgent.has(all[i]!))) / CLK_TCK),
        pool_manager_cpu_pct: pct((self.user + self.system) / 1e6),
        health_probes: statusCalls - callsBefore,
      },
    };
  } finally {
    client.close();
    await pool.close();
    rmSync(sandbox, { recursive: true, force: true });
  }
}

/** One container, warm → bound → 1,000 tool calls + 20 chat turns: resident memory at each step. */
async function measureBound(agent: AgentUnderTest) {
  const sandbox = mkdtempSync(join(tmpdir(), 'warmgate-footprint-bound-'));
  const stateDir = join(sandbox, 'containers');
  const secrets = containerSecrets(randomBytes(32).toString('base64url'));
  const runtime = createLocalRuntime({
    stateDir,
    agentEntry: agent.entry,
    nodePath: agent.nodePath,
    agentNodeArgs: agent.nodeArgs,
    agentProcesses: agent.processes,
    env: agent.env,
    agentCommands: agent.agentCommands,
    containerSecrets: secrets,
  });
  const container = await runtime.create({ name: 'bound', agent: agent.agent });
  const lifecycle = createClient(agentv1.Lifecycle, container.lifecycleAddress, {
    headers: bearerHeaders(secrets(container.id)),
  });
  const client = new Client({ name: 'bench-footprint', version: '0' });
  try {
    await sleep(settleMs);
    const [pids] = containerPids(stateDir);
    const total = () =>
      memoryOf(pids!.agent).rssMib +
      (pids!.sidecar === pids!.agent ? 0 : memoryOf(pids!.sidecar).rssMib);
    const warmRss = total();
    const request = {
      bindingId: 'footprint-binding',
      userId: 'footprint-user',
      tier: 'bench',
      mode: AuthMode.GATEWAY,
      assertionKey: new Uint8Array(32).fill(5),
      repository: { url: '', credential: '', ephemeral: true },
    };
    const bindStarted = performance.now();
    await lifecycle.bind(request);
    const bindMs = performance.now() - bindStarted;
    const token = await signAssertion(request.assertionKey, {
      userId: request.userId,
      bindingId: request.bindingId,
    });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(container.mcpUrl), {
        requestInit: { headers: { 'x-warmgate-assertion': token } },
      }),
    );
    // The first tool call after the bind (MCP initialize + one call): what a lazily loaded
    // MCP side adds to the user's first answer.
    await client.callTool({ name: 'workspace_get', arguments: {} });
    const firstCallMs = performance.now() - bindStarted - bindMs;
    const boundRss = total();
    const candles = Array.from({ length: 500 }, (_, i) => {
      const close = 100 + 10 * Math.sin(i / 20);
      return {
        time: 1_700_000_000_000 + i * 60_000,
        open: close,
        high: close + 1,
        low: close - 1,
        close,
        volume: 1000,
      };
    });
    let failed = 0;
    const call = async (name: string, args: Record<string, unknown>) => {
      const result = await client.callTool({ name, arguments: args });
      if (result.isError) failed++;
    };
    const cpuOf = () =>
      cpuTicksOf(pids!.agent) + (pids!.sidecar === pids!.agent ? 0 : cpuTicksOf(pids!.sidecar));
    const workCpuBefore = cpuOf();
    // A working session's mix: mostly reads and computations, some saves (commit each).
    for (let i = 0; i < toolCalls; i++) {
      const kind = i % 10;
      if (kind < 4) await call('workspace_get', {});
      else if (kind < 7)
        await call('indicator_compute', {
          spec: { indicator: 'sma', period: 5 + (i % 20) },
          candles,
        });
      else if (kind < 9) await call('indicator_list', {});
      else
        await call('indicator_save', {
          name: `ind-${i % 50}`,
          spec: { indicator: 'ema', period: 3 + (i % 30) },
        });
    }
    for (let t = 0; t < chatTurns; t++) {
      const at = new Date(Date.now() - 1000).toISOString();
      await call('conversation_append', {
        turn_id: `turn-${t}`,
        user_text: `question ${t} `.repeat(100),
        answer_text: `answer ${t} `.repeat(400),
        tool_calls: [{ name: 'indicator_compute', is_error: false }],
        started_at: at,
        finished_at: new Date().toISOString(),
      });
      await call('conversation_summary', {});
    }
    const workCpuS = (cpuOf() - workCpuBefore) / CLK_TCK;
    await sleep(settleMs);
    const afterRss = total();
    const afterProcesses = {
      agent: memoryOf(pids!.agent).rssMib,
      sidecar: pids!.sidecar === pids!.agent ? 0 : memoryOf(pids!.sidecar).rssMib,
    };
    // What stays once the container is idle again: V8's memory reducer gives back the heap a
    // burst of work grew some 10–30 s after the last call.
    await sleep(boundSettleMs);
    const settledRss = total();
    return {
      warm_rss_mib: round(warmRss),
      bound_rss_mib: round(boundRss),
      after_rss_mib: round(afterRss),
      agent_after_rss_mib: round(afterProcesses.agent),
      sidecar_after_rss_mib: round(afterProcesses.sidecar),
      settled_rss_mib: round(settledRss),
      agent_settled_rss_mib: round(memoryOf(pids!.agent).rssMib),
      sidecar_settled_rss_mib:
        pids!.sidecar === pids!.agent ? 0 : round(memoryOf(pids!.sidecar).rssMib),
      /** CPU of the container's processes for the 1,000 calls and 20 turns (throughput cost of flags). */
      work_cpu_s: round(workCpuS),
      failed_calls: failed,
      bind_ms: round(bindMs, 1),
      first_call_after_bind_ms: round(firstCallMs, 1),
    };
  } finally {
    await client.close().catch(() => {});
    lifecycle.close();
    await runtime.destroy(container.id);
    rmSync(sandbox, { recursive: true, force: true });
  }
}

/** Start to ready of whole containers (agent, then sidecar), one at a time on an idle pool. */
async function measureStart(agent: AgentUnderTest) {
  const sandbox = mkdtempSync(join(tmpdir(), 'warmgate-footprint-start-'));
  const secrets = containerSecrets(randomBytes(32).toString('base64url'));
  const runtime = createLocalRuntime({
    stateDir: join(sandbox, 'containers'),
    agentEntry: agent.entry,
    nodePath: agent.nodePath,
    agentNodeArgs: agent.nodeArgs,
    agentProcesses: agent.processes,
    env: agent.env,
    agentCommands: agent.agentCommands,
    containerSecrets: secrets,
  });
  const samples: number[] = [];
  try {
    for (let i = 0; i < startRuns + 1; i++) {
      const started = performance.now();
      const container = await runtime.create({ name: 'start', agent: agent.agent });
      if (i > 0) samples.push(performance.now() - started); // one warm-up (page cache)
      await runtime.destroy(container.id);
    }
  } finally {
    rmSync(sandbox, { recursive: true, force: true });
  }
  return summarize(samples);
}

function figures(
  bare: Awaited<ReturnType<typeof measureBare>>,
  pool: Awaited<ReturnType<typeof measurePool>>,
  bound: Awaited<ReturnType<typeof measureBound>>,
  start: ReturnType<typeof summarize>,
) {
  const agentRss = median(pool.agent.map((m) => m.rssMib));
  // No sidecar process of its own (one process per container): 0.
  const sidecarRss = pool.sidecar.length > 0 ? median(pool.sidecar.map((m) => m.rssMib)) : 0;
  const agentPss = median(pool.agent.map((m) => m.pssMib));
  const sidecarPss = pool.sidecar.length > 0 ? median(pool.sidecar.map((m) => m.pssMib)) : 0;
  const container = agentRss + sidecarRss;
  return {
    processes: pool.sidecar.length > 0 ? 2 : 1,
    bare_node_rss_mib: bare.rssMib,
    warm_container_rss_mib: round(container),
    agent_rss_mib: round(agentRss),
    sidecar_rss_mib: round(sidecarRss),
    warm_container_pss_mib: round(agentPss + sidecarPss),
    agent_pss_mib: round(agentPss),
    sidecar_pss_mib: round(sidecarPss),
    container_over_bare: round(container / bare.rssMib),
    sidecar_over_bare: round(sidecarRss / bare.rssMib),
    agent_over_bare: round(agentRss / bare.rssMib),
    warm_containers_per_gib: round(1024 / container, 1),
    warm_containers_per_gib_pss: round(1024 / (agentPss + sidecarPss), 1),
    idle_cpu_pct_20_containers: round((pool.idle.containers_cpu_pct * 20) / warm, 3),
    idle: pool.idle,
    bound_growth_mib_1000_calls: round(bound.after_rss_mib - bound.warm_rss_mib),
    bound_growth_since_bind_mib: round(bound.after_rss_mib - bound.bound_rss_mib),
    /** The same growth once the container was idle again for WARMGATE_FOOTPRINT_BOUND_SETTLE_MS. */
    bound_growth_settled_mib: round(bound.settled_rss_mib - bound.warm_rss_mib),
    bound_work_cpu_s: bound.work_cpu_s,
    bound,
    start_to_ready_ms: start.p50_ms,
    bare_start_ms: bare.start.p50_ms,
    start_to_ready_over_bare: round(start.p50_ms / bare.start.p50_ms),
    start_to_ready: start,
  };
}
