// `npm run bench -- mcp-rate`: how many cheap read tool calls (`profile_get`) one agent answers
// per second of its own CPU (issue 12, goal 6: ≥ 1,500 calls/s on one core), in the container
// the local runtime starts (the agent, role `mcp`, behind the sidecar's data plane): called
// straight on the agent's socket, then through the sidecar (its CPU counted beside it).
// The client is as cheap as a client gets (pre-built JSON-RPC bodies on kept-alive node:http
// sockets), so the agent process is what is measured: its CPU time comes from
// /proc/<pid>/stat, so calls per CPU-second hold on a loaded machine too.
// `--cpu-prof=DIR`: the measured processes write V8 CPU profiles to DIR (summarised here).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ASSERTION_HEADER, ensureStore, repoUrlFor, signAssertion } from '@warmgate/contract';
import { AuthMode, type agentv1 } from '@warmgate/proto';
import type { Client } from '@warmgate/proto/grpc';
import { startAgentContainer, type AgentContainer } from '@warmgate/testkit';
import { printTable, writeResult } from './harness.js';
import { printProfiles, summariseProfiles, type RoleProfile } from './cpu-profile.js';

const USER = 'rate-user';
const PROTOCOL = '2025-06-18';

export type RateTarget = 'agent' | 'data-plane';

export interface RateResult {
  target: RateTarget;
  calls: number;
  wall_calls_per_s: number;
  /** Calls per second of the agent process's own CPU time: its rate on one core. */
  agent_calls_per_cpu_s: number;
  agent_cpu_us_per_call: number;
  /** The sidecar in front (data-plane only). */
  sidecar_cpu_us_per_call?: number;
  load_average: number;
}

/** utime + stime of a process, in seconds (Linux /proc). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Under {
  /** Where the flood goes: the agent's own socket, or the sidecar's MCP port. */
  mcpUrl: URL;
  socketPath?: string;
  agentPid: number;
  /** Counted when the calls pass through it. */
  sidecarPid?: number;
  lifecycle: Client<typeof agentv1.Lifecycle>;
  stop(): Promise<void>;
}

/**
 * The local runtime's container (the agent, role `mcp`, on a Unix socket; the sidecar as its
 * data plane). `agent`: calls straight to the agent's socket (no credential: the agent trusts
 * its sidecar); `data-plane`: calls to the sidecar, which checks the assertion and forwards.
 */
async function startUnder(
  target: RateTarget,
  dir: string,
  env: Record<string, string>,
): Promise<Under> {
  const workspace = join(dir, 'workspace');
  await mkdir(workspace);
  const socketPath = join(dir, 'agent.sock');
  const container: AgentContainer = await startAgentContainer({
    workspace,
    env,
    agentListen: socketPath,
  });
  return {
    ...(target === 'agent'
      ? { mcpUrl: new URL('http://localhost/mcp'), socketPath }
      : { mcpUrl: container.mcpUrl, sidecarPid: container.sidecar.pid }),
    agentPid: container.agent.pid,
    lifecycle: container.lifecycle,
    stop: () => container.stop(),
  };
}

/** One raw HTTP POST; resolves with the status and the whole body. */
function post(
  agent: Agent,
  under: Pick<Under, 'mcpUrl' | 'socketPath'>,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((done, fail) => {
    const req = request(
      under.mcpUrl,
      {
        method: 'POST',
        agent,
        ...(under.socketPath ? { socketPath: under.socketPath } : {}),
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          done({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

/**
 * Binds a fresh agent, opens one MCP session with raw requests, then floods `profile_get` from
 * `concurrency` kept-alive sockets for `seconds`, counting the agent's (and sidecar's) CPU.
 */
export async function measureRate(
  target: RateTarget,
  options: { seconds?: number; concurrency?: number; cpuProfDir?: string } = {},
): Promise<RateResult> {
  const { seconds = 5, concurrency = 8, cpuProfDir } = options;
  const dir = mkdtempSync(join(tmpdir(), 'warmgate-mcp-rate-'));
  const env: Record<string, string> = cpuProfDir
    ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${cpuProfDir}` }
    : {};
  const under = await startUnder(target, dir, env);
  const http = new Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const store = await ensureStore(join(dir, 'store'));
    const key = new Uint8Array(32).fill(7);
    const bindingId = `b-rate-${Date.now()}`;
    await under.lifecycle.bind({
      bindingId,
      userId: USER,
      tier: 'pro',
      mode: AuthMode.GATEWAY,
      assertionKey: key,
      repository: { url: repoUrlFor(store, USER), credential: '', ephemeral: false },
    });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      [ASSERTION_HEADER]: await signAssertion(key, { userId: USER, bindingId }),
    };
    const init = await post(
      http,
      under,
      headers,
      JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: {
          protocolVersion: PROTOCOL,
          capabilities: {},
          clientInfo: { name: 'bench-rate', version: '1' },
        },
      }),
    );
    const session = init.headers['mcp-session-id'];
    if (init.status !== 200 || typeof session !== 'string') {
      throw new Error(`initialize refused: ${init.status} ${init.body.slice(0, 300)}`);
    }
    Object.assign(headers, { 'mcp-session-id': session, 'mcp-protocol-version': PROTOCOL });
    await post(
      http,
      under,
      headers,
      JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    );
    await post(
      http,
      under,
      headers,
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    );
    let id = 2;
    const call = async () => {
      const body = `{"jsonrpc":"2.0","id":${id++},"method":"tools/call","params":{"name":"profile_get","arguments":{}}}`;
      const answer = await post(http, under, headers, body);
      if (answer.status !== 200 || !answer.body.includes('"result"')) {
        throw new Error(`profile_get failed: ${answer.status} ${answer.body.slice(0, 300)}`);
      }
    };
    const flood = async (ms: number) => {
      let calls = 0;
      const until = performance.now() + ms;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < until) {
            await call();
            calls++;
          }
        }),
      );
      return calls;
    };
    await flood(1_000); // JIT warm-up
    const agentBefore = cpuSeconds(under.agentPid);
    const sidecarBefore = under.sidecarPid ? cpuSeconds(under.sidecarPid) : 0;
    const started = performance.now();
    const calls = await flood(seconds * 1000);
    const wall = (performance.now() - started) / 1000;
    const agentCpu = cpuSeconds(under.agentPid) - agentBefore;
    const sidecarCpu = under.sidecarPid ? cpuSeconds(under.sidecarPid) - sidecarBefore : 0;
    return {
      target,
      calls,
      wall_calls_per_s: Math.round(calls / wall),
      agent_calls_per_cpu_s: Math.round(calls / agentCpu),
      agent_cpu_us_per_call: Math.round((agentCpu * 1e6) / calls),
      ...(under.sidecarPid
        ? { sidecar_cpu_us_per_call: Math.round((sidecarCpu * 1e6) / calls) }
        : {}),
      load_average: loadavg()[0]!,
    };
  } finally {
    http.destroy();
    await under.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const profArg = process.argv.find((arg) => arg.startsWith('--cpu-prof='));
  const profDir = profArg ? resolve(profArg.slice('--cpu-prof='.length)) : undefined;
  const loadStart = loadavg()[0]!;
  const results: RateResult[] = [];
  for (const target of ['agent', 'data-plane'] as const) {
    results.push(await measureRate(target));
  }
  // Profiled runs come after the measured ones: the profiler's own cost stays out of the figures.
  const profiles: Record<string, RoleProfile[]> = {};
  /** Rates under the profiler: comparable only with other profiled runs. */
  const profiled: RateResult[] = [];
  if (profDir) {
    for (const target of ['agent', 'data-plane'] as const) {
      const dir = join(profDir, target);
      mkdirSync(dir, { recursive: true });
      profiled.push(await measureRate(target, { cpuProfDir: dir }));
      await sleep(200);
      profiles[target] = summariseProfiles(dir, 12);
      printProfiles(profiles[target]);
    }
  }
  printTable(
    `profile_get flood, 8 kept-alive sockets, 5 s (load average ${loadStart.toFixed(2)} at the start)`,
    results.map((r) => ({ ...r })),
  );
  const [agent, plane] = results;
  console.log(
    `\nagent answers ${agent!.agent_calls_per_cpu_s} profile_get/s per core (goal ≥ 1500); ` +
      `behind the data plane ${plane!.agent_calls_per_cpu_s}/s per agent core, sidecar ` +
      `${plane!.sidecar_cpu_us_per_call} µs/call — load average ${loadavg()[0]!.toFixed(2)}`,
  );
  writeResult('mcp-rate', {
    agent_calls_per_cpu_s: agent!.agent_calls_per_cpu_s,
    agent_cpu_us_per_call: agent!.agent_cpu_us_per_call,
    data_plane_agent_cpu_us_per_call: plane!.agent_cpu_us_per_call,
    data_plane_sidecar_cpu_us_per_call: plane!.sidecar_cpu_us_per_call,
    load_average: { start: loadStart, end: loadavg()[0]! },
    details: results,
    ...(profDir ? { profiles, profiled } : {}),
  });
}
