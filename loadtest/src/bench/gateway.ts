// `npm run bench -- gateway`: the gateway's edge against raw baselines, each pair measured in
// the same run, with the server under test in a child process (so client and server do not
// share one event loop) and the load driven from this process:
//   ws_ratio       WebSocket CallTool (no-op platform tool) through the session core vs a raw
//                  uWebSockets.js echo of the same frame
//   grpc_ratio     gRPC CallTool (no-op platform tool) vs a raw grpc-js Echo
//   bytes_per_idle_ws_connection   gateway memory per authenticated idle WebSocket (10,000)
//   proxy_added_p50_ms, proxied_calls_per_s, proxied_over_direct   a user tool through the
//                  gateway vs the same call made directly to the container's MCP address (the
//                  sidecar's data plane, the only way into an agent), CPU per call by process
//   `-- gateway --proxy-only [--cpu-prof=DIR]`: the proxied user tool alone, printed only
import { fork, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { create } from '@bufbuild/protobuf';
import { Server } from '@grpc/grpc-js';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ASSERTION_HEADER, signAssertion } from '@warmgate/contract';
import { AuthMode, errors, gatewayv1, poolv1, testingv1 } from '@warmgate/proto';
import { bearerHeaders, createClient, createServiceDefinition, listen } from '@warmgate/proto/grpc';
import { printTable, summarize, timeConcurrent, timeSequential, writeResult } from './harness.js';
import { startStack, type Stack } from './stack.js';
import { printProfiles, summariseProfiles } from './cpu-profile.js';

const secret = 'bench-secret-bench-secret-bench-secret-0123';
const self = fileURLToPath(import.meta.url);
/** `-- gateway --quick`: a quarter of the calls (for a loaded machine). */
const scale = process.argv.includes('--quick') ? 0.25 : 1;

type Mode = 'ws-raw' | 'ws-gateway' | 'grpc-raw' | 'grpc-gateway' | 'idle-gateway';

// ---------------------------------------------------------------- child: the server under test

async function child(mode: Mode): Promise<void> {
  const gateway = await import('@warmgate/gateway');
  const limits = { maxMessageChars: 16_000, maxArgumentBytes: 65_536, toolTimeoutMs: 30_000 };
  const core = () =>
    gateway.createSessionCore({
      authenticator: gateway.createAuthenticator({
        publicEnabled: true,
        publicTier: 'free',
        publicSessionTimeoutMs: 3_600_000,
        hs256Secret: secret,
        tierClaim: 'tier',
        defaultTier: 'free',
        directEnabled: false,
        directDefaultTier: 'enterprise',
        clockToleranceS: 5,
      }),
      agents: {
        connect: () => Promise.reject(errors.unavailable('no agents in this benchmark')),
        disconnect: () => undefined,
      },
      platform: noopPlatform(),
      turns: { run: () => Promise.reject(errors.unavailable('no turns in this benchmark')) },
      limits,
    });
  let port: number;
  if (mode === 'ws-raw') {
    const { App, us_socket_local_port } = await import('uWebSockets.js');
    port = await new Promise((resolve) => {
      App()
        .ws('/ws', { message: (ws, message, isBinary) => void ws.send(message, isBinary) })
        .listen('127.0.0.1', 0, (socket) => resolve(us_socket_local_port(socket as never)));
    });
  } else if (mode === 'ws-gateway' || mode === 'idle-gateway') {
    const server = gateway.createWsServer({
      core: core(),
      limits: {
        maxFrameBytes: 256 * 1024,
        maxBufferedBytes: 1024 * 1024,
        maxInflightPerSocket: 32,
        idleTimeoutS: 120,
      },
      http: { ready: async () => true, scrape: async () => '', assets: new Map() },
    });
    port = await server.listen('127.0.0.1', 0);
  } else if (mode === 'grpc-raw') {
    const server = new Server();
    // Raw grpc-js: the generated serialisers, and a plain callback handler.
    server.addService(createServiceDefinition(testingv1.EchoService as never), {
      echo: (call: { request: testingv1.EchoRequest }, callback: (e: null, v: unknown) => void) =>
        callback(null, create(testingv1.EchoResponseSchema, { text: call.request.text })),
    });
    port = await listen(server, '127.0.0.1', 0);
  } else {
    port = await gateway.createGrpcServer(core()).listen('127.0.0.1', 0);
  }
  process.on('message', (message) => {
    if (message !== 'measure') return;
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    process.send!({ memory: process.memoryUsage() });
  });
  process.send!({ port });
}

function noopPlatform() {
  const tool = {
    name: 'noop',
    description: 'Does nothing (benchmark).',
    inputSchema: { type: 'object' },
    annotations: { readOnly: true, destructive: false, idempotent: true },
    route: 'platform' as const,
  };
  const result = create(gatewayv1.CallToolResponseSchema, {
    content: [{ kind: { case: 'text', value: 'ok' } }],
  });
  return { list: () => [tool], call: async () => result };
}

// ---------------------------------------------------------------- parent: load and measure

interface Child {
  readonly port: number;
  readonly process: ChildProcess;
  memory(): Promise<NodeJS.MemoryUsage>;
  stop(): Promise<void>;
}

async function startChild(mode: Mode): Promise<Child> {
  const proc = fork(self, ['--child', mode], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [first] = (await once(proc, 'message')) as [{ port: number }];
  return {
    port: first.port,
    process: proc,
    async memory() {
      proc.send('measure');
      const [reply] = (await once(proc, 'message')) as [{ memory: NodeJS.MemoryUsage }];
      return reply.memory;
    },
    async stop() {
      proc.kill('SIGKILL');
      await once(proc, 'exit');
    },
  };
}

function token(sub: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));
}

/** One WebSocket doing sequential round trips of `frame`. */
async function wsClient(
  url: string,
  frame: string,
  auth?: string,
): Promise<{ roundTrip(): Promise<void>; close(): void; last(): string }> {
  // The token in the upgrade's Authorization header: the gateway reads no token from URLs.
  const socket = auth
    ? new WebSocket(url, { headers: { authorization: `Bearer ${auth}` } } as never)
    : new WebSocket(url);
  let waiting: (() => void) | undefined;
  let last = '';
  socket.addEventListener('message', (event) => {
    last = String(event.data);
    const wake = waiting;
    waiting = undefined;
    wake?.();
  });
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)), {
      once: true,
    });
  });
  return {
    roundTrip: () =>
      new Promise<void>((resolve) => {
        waiting = resolve;
        socket.send(frame);
      }),
    close: () => socket.close(),
    last: () => last,
  };
}

interface Side {
  /** One round trip (sequential on one connection). */
  one(): Promise<unknown>;
  /** One round trip, from one of `concurrency` workers. */
  any(): Promise<unknown>;
  readonly concurrency: number;
}

interface Measured {
  p50_ms: number;
  p99_ms: number;
  calls_per_s: number;
}

/**
 * Measures two sides in alternating rounds (raw, server, raw, server, ...) and keeps each
 * side's median round: the machine is shared, and alternating spreads the noise evenly.
 */
async function compare(raw: Side, server: Side, calls: number, rounds = 3) {
  const runs: { raw: Measured[]; server: Measured[] } = { raw: [], server: [] };
  for (const side of [raw, server]) await timeConcurrent(calls / 4, side.concurrency, side.any);
  for (let round = 0; round < rounds; round++) {
    for (const [name, side] of [
      ['raw', raw],
      ['server', server],
    ] as const) {
      const seq = summarize(await timeSequential(calls / 10, side.one, 100));
      const par = await timeConcurrent(calls, side.concurrency, side.any);
      runs[name].push({
        p50_ms: seq.p50_ms,
        p99_ms: seq.p99_ms,
        calls_per_s: Math.round(par.perSecond),
      });
    }
  }
  const median = (list: Measured[]) =>
    [...list].sort((a, b) => a.calls_per_s - b.calls_per_s)[Math.floor(list.length / 2)]!;
  const rawMedian = median(runs.raw);
  const serverMedian = median(runs.server);
  return {
    raw: rawMedian,
    gateway: serverMedian,
    ratio: round(serverMedian.calls_per_s / rawMedian.calls_per_s),
    rounds: runs,
  };
}

async function wsSide(
  port: number,
  frame: string,
  expect: string | undefined,
  auth?: string,
): Promise<Side & { close(): void }> {
  const url = `ws://127.0.0.1:${port}/ws`;
  const clients = await Promise.all(Array.from({ length: 16 }, () => wsClient(url, frame, auth)));
  await new Promise((resolve) => setTimeout(resolve, 100)); // the gateway's `authenticated` frames
  await clients[0]!.roundTrip();
  // The gateway must really run the tool: an error frame would be a cheaper round trip.
  if (expect && !clients[0]!.last().includes(expect)) {
    throw new Error(`unexpected answer: ${clients[0]!.last()}`);
  }
  // Each worker takes a socket that has nothing in flight, so round trips never interleave.
  const free = [...clients];
  return {
    concurrency: clients.length,
    one: () => clients[0]!.roundTrip(),
    async any() {
      const client = free.pop()!;
      try {
        await client.roundTrip();
      } finally {
        free.push(client);
      }
    },
    close: () => clients.forEach((client) => client.close()),
  };
}

async function benchWs() {
  const frame = JSON.stringify({ id: 'r1', callTool: { name: 'noop' } });
  const [rawServer, gatewayServer] = await Promise.all([
    startChild('ws-raw'),
    startChild('ws-gateway'),
  ]);
  const raw = await wsSide(rawServer.port, frame, undefined);
  const gateway = await wsSide(gatewayServer.port, frame, '"callTool"', await token('bench-ws'));
  try {
    return await compare(raw, gateway, 20_000 * scale);
  } finally {
    raw.close();
    gateway.close();
    await Promise.all([rawServer.stop(), gatewayServer.stop()]);
  }
}

async function benchGrpc() {
  const [rawServer, gatewayServer] = await Promise.all([
    startChild('grpc-raw'),
    startChild('grpc-gateway'),
  ]);
  const echo = createClient(testingv1.EchoService, `127.0.0.1:${rawServer.port}`);
  const gw = createClient(gatewayv1.Gateway, `127.0.0.1:${gatewayServer.port}`);
  const headers = { authorization: `Bearer ${await token('bench-grpc')}` };
  // The same metadata on both sides: the comparison is about the server, not header encoding.
  const rawCall = () => echo.echo({ text: 'noop' }, { headers });
  const gwCall = () => gw.callTool({ name: 'noop' }, { headers });
  try {
    return await compare(
      { one: rawCall, any: rawCall, concurrency: 32 },
      { one: gwCall, any: gwCall, concurrency: 32 },
      8_000 * scale,
    );
  } finally {
    echo.close();
    gw.close();
    await Promise.all([rawServer.stop(), gatewayServer.stop()]);
  }
}

/** Opens a raw WebSocket (handshake only) that then sits idle. */
function idleSocket(port: number, authHeader: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('error', reject);
    socket.once('connect', () => {
      const key = randomBytes(16).toString('base64');
      socket.write(
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${authHeader}` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.once('data', (chunk: Buffer) => {
      if (!chunk.toString('latin1').startsWith('HTTP/1.1 101'))
        return reject(new Error('no upgrade'));
      socket.on('data', () => undefined); // the `authenticated` frame, server pings
      resolve(socket);
    });
  });
}

async function benchIdle(count = 10_000) {
  const server = await startChild('idle-gateway');
  const sockets: Socket[] = [];
  try {
    const auth = `Authorization: Bearer ${await token('bench-idle')}\r\n`;
    // Warm the server up (JIT, first allocations) before the baseline.
    for (let i = 0; i < 200; i++) sockets.push(await idleSocket(server.port, auth));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = await server.memory();
    for (let batch = 0; batch < count / 200; batch++) {
      sockets.push(
        ...(await Promise.all(Array.from({ length: 200 }, () => idleSocket(server.port, auth)))),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = await server.memory();
    const opened = sockets.length - 200;
    return {
      connections: opened,
      rss_bytes_per_connection: Math.round((after.rss - before.rss) / opened),
      heap_bytes_per_connection: Math.round((after.heapUsed - before.heapUsed) / opened),
      external_bytes_per_connection: Math.round((after.external - before.external) / opened),
    };
  } finally {
    sockets.forEach((socket) => socket.destroy());
    await server.stop();
  }
}

// ---------------------------------------------------------------- proxy: the real stack

/** An MCP session straight to a user's agent, trusted the way the gateway is (assertion). */
async function directAgent(stack: Stack, userId: string) {
  const pool = createClient(poolv1.Pool, stack.pool, { headers: bearerHeaders(stack.poolSecret) });
  try {
    const { binding } = await pool.acquire(
      { userId, tier: 'free', mode: AuthMode.GATEWAY },
      { timeoutMs: 60_000 },
    );
    const assertion = await signAssertion(binding!.assertionKey, {
      userId,
      bindingId: binding!.bindingId,
    });
    const client = new McpClient({ name: 'bench-direct', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(binding!.mcpUrl), {
        requestInit: { headers: { [ASSERTION_HEADER]: assertion } },
      }),
    );
    return client;
  } finally {
    pool.close();
  }
}

/** CPU seconds by role: this process (the client), the stack, every sidecar, every agent. */
interface RoleCpu {
  client: number;
  stack: number;
  sidecars: number;
  agents: number;
}

const emptyCpu = (): RoleCpu => ({ client: 0, stack: 0, sidecars: 0, agents: 0 });
const sum = (cpu: RoleCpu) => cpu.client + cpu.stack + cpu.sidecars + cpu.agents;

/** utime + stime of a process in seconds (Linux /proc); undefined once it is gone. */
function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

interface CpuSnapshot {
  client: number;
  /** pid → [role, CPU seconds]. */
  pids: Map<number, [keyof RoleCpu, number]>;
}

/** The CPU every process of the run has used so far (containers from their pid files). */
function cpuByRole(stack: Stack): CpuSnapshot {
  const own = process.cpuUsage();
  const pids = new Map<number, [keyof RoleCpu, number]>();
  const stackCpu = cpuSecondsOf(stack.pid);
  if (stackCpu !== undefined) pids.set(stack.pid, ['stack', stackCpu]);
  for (const id of readdirSync(stack.stateDir)) {
    for (const [file, role] of [
      ['agent.pid', 'agents'],
      ['sidecar.pid', 'sidecars'],
    ] as const) {
      let pid: number;
      try {
        pid = Number(readFileSync(join(stack.stateDir, id, file), 'utf8').trim());
      } catch {
        continue;
      }
      const used = cpuSecondsOf(pid);
      if (used !== undefined && !pids.has(pid)) pids.set(pid, [role, used]);
    }
  }
  return { client: (own.user + own.system) / 1e6, pids };
}

/** Adds what each process used between two snapshots (processes alive at both). */
function addCpu(into: RoleCpu, before: CpuSnapshot, after: CpuSnapshot): void {
  into.client += after.client - before.client;
  for (const [pid, [role, used]] of after.pids) {
    const was = before.pids.get(pid);
    if (was) into[role] += used - was[1];
  }
}

/** Alternating throughput rounds per side of the proxied comparison (the median is kept). */
const ROUNDS = 5;

async function benchProxy(users = 50, env?: Record<string, string>) {
  const stack = await startStack({
    profiles: `standard:min=4:max=${users + 4}`,
    hs256Secret: secret,
    ...(env ? { env } : {}),
  });
  const gw = createClient(gatewayv1.Gateway, stack.grpc);
  const direct: McpClient[] = [];
  try {
    const headers = await Promise.all(
      Array.from({ length: users }, async (_, i) => ({
        authorization: `Bearer ${await token(`bench-user-${i}`)}`,
      })),
    );
    // Bind every user's agent through the gateway first (bounded concurrency: binds cost CPU).
    const pending = headers.map((_, i) => i);
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = pending.shift(); i !== undefined; i = pending.shift()) {
          await gw.callTool({ name: 'profile_get' }, { headers: headers[i], timeoutMs: 90_000 });
        }
      }),
    );
    for (let i = 0; i < users; i++) direct.push(await directAgent(stack, `bench-user-${i}`));
    const viaGateway = (i: number) =>
      gw.callTool({ name: 'profile_get' }, { headers: headers[i % users] });
    const straight = (i: number) =>
      direct[i % users]!.callTool({ name: 'profile_get', arguments: {} });
    // Interleaved pairs (direct, then through the gateway, same user): both calls of a pair
    // see the same machine load, so the median of the differences is the gateway's cost.
    const directMs: number[] = [];
    const gatewayMs: number[] = [];
    const added: number[] = [];
    for (let i = 0; i < 200 + 1_000 * scale; i++) {
      const user = i % users;
      let start = performance.now();
      await straight(user);
      const d = performance.now() - start;
      start = performance.now();
      await viaGateway(user);
      const g = performance.now() - start;
      if (i < 200) continue; // warm-up
      directMs.push(d);
      gatewayMs.push(g);
      added.push(g - d);
    }
    const median = (list: number[]) =>
      [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
    // Throughput across all users: each worker is one user, calls in a loop. The two sides
    // alternate in rounds (direct, gateway, direct, ...) and each keeps its median round, so a
    // change in the machine's load falls on both; CPU per call is summed over the rounds.
    const sides = { direct: straight, gateway: viaGateway };
    for (const call of Object.values(sides)) await timeConcurrent(users * 20, users, call);
    const rates = { direct: [] as number[], gateway: [] as number[] };
    /** When the gateway rounds ran (CLOCK_MONOTONIC µs), to cut a profile to them. */
    const gatewayWindows: [number, number][] = [];
    const cpu = { direct: emptyCpu(), gateway: emptyCpu() };
    const calls = Math.round(users * 40 * scale);
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of ['direct', 'gateway'] as const) {
        const before = cpuByRole(stack);
        const from = Number(process.hrtime.bigint() / 1000n);
        const { perSecond } = await timeConcurrent(calls, users, sides[name]);
        if (name === 'gateway')
          gatewayWindows.push([from, Number(process.hrtime.bigint() / 1000n)]);
        addCpu(cpu[name], before, cpuByRole(stack));
        rates[name].push(Math.round(perSecond));
      }
    }
    const perCall = (used: RoleCpu): RoleCpu => {
      const us = (seconds: number) => Math.round((seconds * 1e6) / (calls * ROUNDS));
      return {
        client: us(used.client),
        stack: us(used.stack),
        sidecars: us(used.sidecars),
        agents: us(used.agents),
      };
    };
    const gatewayPerS = median(rates.gateway);
    const directPerS = median(rates.direct);
    return {
      users,
      direct_p50_ms: round(median(directMs)),
      gateway_p50_ms: round(median(gatewayMs)),
      added_p50_ms: round(median(added)),
      gateway_calls_per_s: gatewayPerS,
      direct_calls_per_s: directPerS,
      proxied_over_direct: round(gatewayPerS / directPerS),
      rounds: rates,
      cpu_us_per_call: { direct: perCall(cpu.direct), gateway: perCall(cpu.gateway) },
      // The same comparison in CPU: every process (clients too), and the servers alone (what
      // the gateway adds to the stack, sidecar and agent a call costs either way).
      cpu_direct_over_gateway: round(sum(cpu.direct) / sum(cpu.gateway)),
      server_cpu_direct_over_gateway: round(
        (sum(cpu.direct) - cpu.direct.client) / (sum(cpu.gateway) - cpu.gateway.client),
      ),
      gateway_windows: gatewayWindows,
    };
  } finally {
    await Promise.all(direct.map((client) => client.close().catch(() => undefined)));
    gw.close();
    await stack.stop();
  }
}

function printProxy(proxy: Awaited<ReturnType<typeof benchProxy>>): void {
  const { rounds, cpu_us_per_call: cpu, gateway_windows: _windows, ...figures } = proxy;
  printTable(
    `user tool profile_get: through the gateway (gRPC) vs straight to the sidecar's data plane (MCP SDK client) — load average ${loadavg()[0]!.toFixed(2)}`,
    [figures],
  );
  printTable(
    'calls/s per round (alternating) and CPU µs per call by process: client = this process',
    (['direct', 'gateway'] as const).map((side) => ({
      side,
      rounds: rounds[side].join(' '),
      ...cpu[side],
      total: Object.values(cpu[side]).reduce((sum, us) => sum + us, 0),
    })),
  );
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export async function run(): Promise<void> {
  if (process.argv.includes('--proxy-only')) {
    // The proxied user tool alone (for iterating on the call path): printed, nothing written.
    // `--cpu-prof=DIR`: the stack process (gateway + pool manager) writes a V8 CPU profile.
    const profArg = process.argv.find((arg) => arg.startsWith('--cpu-prof='));
    const profDir = profArg ? resolve(profArg.slice('--cpu-prof='.length)) : undefined;
    const proxy = await benchProxy(
      50,
      profDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profDir}` } : undefined,
    );
    printProxy(proxy);
    // Only the samples of the gateway's throughput rounds (not set-up, binds or shutdown).
    if (profDir) printProfiles(summariseProfiles(profDir, 25, proxy.gateway_windows));
    return;
  }
  const ws = await benchWs();
  printTable('WebSocket round trips (16 sockets; sequential latency on one; median of 3 rounds)', [
    { server: 'raw uWS echo', ...ws.raw },
    { server: 'gateway CallTool noop', ...ws.gateway },
  ]);
  const grpc = await benchGrpc();
  printTable('gRPC unary (32-way throughput; sequential latency; median of 3 rounds)', [
    { server: 'raw grpc-js Echo', ...grpc.raw },
    { server: 'gateway CallTool noop', ...grpc.gateway },
  ]);
  const idle = await benchIdle(10_000 * scale);
  let proxy: Awaited<ReturnType<typeof benchProxy>> | undefined;
  try {
    proxy = await benchProxy();
    printProxy(proxy);
  } catch (error) {
    console.error(`proxy benchmark failed, its fields are left out: ${String(error)}`);
  }
  printTable('10,000 idle authenticated WebSockets: gateway memory per connection', [idle]);
  const result: Record<string, unknown> = {
    ws_ratio: ws.ratio,
    grpc_ratio: grpc.ratio,
    // The larger of the two views: RSS (native + JS) and the JS heap + external memory.
    bytes_per_idle_ws_connection: Math.max(
      idle.rss_bytes_per_connection,
      idle.heap_bytes_per_connection + idle.external_bytes_per_connection,
    ),
    ...(proxy
      ? {
          proxy_added_p50_ms: proxy.added_p50_ms,
          proxied_calls_per_s: proxy.gateway_calls_per_s,
          direct_calls_per_s: proxy.direct_calls_per_s,
          proxied_over_direct: proxy.proxied_over_direct,
        }
      : {}),
    load_average: loadavg()[0]!,
    details: { ws, grpc, idle, proxy },
  };
  console.log(
    `\nws_ratio ${ws.ratio} (goal ≥ 0.5), grpc_ratio ${grpc.ratio} (goal ≥ 0.7), ` +
      `bytes/idle ws ${result.bytes_per_idle_ws_connection as number} (goal ≤ 4096)` +
      (proxy
        ? `, proxy added p50 ${proxy.added_p50_ms} ms (goal ≤ 0.5), proxied ${proxy.gateway_calls_per_s}/s across ${proxy.users} users (goal ≥ 3000), ` +
          `proxied / direct ${proxy.proxied_over_direct} (goal ≥ 0.9; direct ${proxy.direct_calls_per_s}/s)`
        : '') +
      ` — load average ${loadavg()[0]!.toFixed(2)}`,
  );
  writeResult('gateway', result);
}

if (process.argv[2] === '--child') {
  await child(process.argv[3] as Mode);
}
