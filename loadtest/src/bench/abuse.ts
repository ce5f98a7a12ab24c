// `npm run bench -- abuse`: a signed-in user's latency without and with an anonymous flood,
// in one run on one stack (pool manager + gateway processes, real agent containers, default
// admission settings). The user makes paced gRPC tool calls that reach their agent
// (`profile_get`); the flood is 500 anonymous WebSockets asking for the tool list and 50
// anonymous gRPC connections listing tools in a loop (abuse-flood.ts). Prints p50/p99 of
// both phases, their ratio and the load average beside each; writes bench-results/abuse.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { codeName, gatewayv1, WarmgateError } from '@warmgate/proto';
import { createClient } from '@warmgate/proto/grpc';
import { floodSourceAddresses, startFlood } from './abuse-flood.js';
import { killContainers } from './kill-containers.js';
import { printTable, summarize, writeResult, type Summary } from './harness.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const secret = 'abuse-bench-secret-that-is-long-enough!!';
const settings = {
  samples: intFromEnv('WARMGATE_ABUSE_SAMPLES', 200),
  /** The signed-in user's pace: a trading terminal, not a load generator. */
  intervalMs: intFromEnv('WARMGATE_ABUSE_INTERVAL_MS', 50),
  webSockets: intFromEnv('WARMGATE_ABUSE_WEBSOCKETS', 500),
  grpcConnections: intFromEnv('WARMGATE_ABUSE_GRPC', 50),
};

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${name}: expected an integer ≥ 1`);
  }
  return value;
}

const load = () => loadavg().map((v) => Math.round(v * 100) / 100);

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'warmgate-abuse-'));
  const stateDir = join(dir, 'containers');
  const storeDir = join(dir, 'store');
  mkdirSync(storeDir, { recursive: true });
  const children: ChildProcess[] = [];
  try {
    const pool = await start(children, 'pool-manager/dist/main.js', {
      WARMGATE_POOL_HOST: '127.0.0.1',
      WARMGATE_POOL_PORT: '0',
      WARMGATE_POOL_METRICS_PORT: '0',
      WARMGATE_POOL_STATE_DIR: stateDir,
      WARMGATE_STORE_DIR: storeDir,
      WARMGATE_POOL_PROFILES: 'standard:min=2:max=8',
      WARMGATE_POOL_ADAPTIVE: 'false',
      WARMGATE_POOL_SHUTDOWN_GRACE: '10s',
    });
    const gateway = await start(children, 'gateway/dist/main.js', {
      WARMGATE_HOST: '127.0.0.1',
      WARMGATE_HTTP_PORT: '0',
      WARMGATE_GRPC_PORT: '0',
      WARMGATE_POOL_ADDRESS: `127.0.0.1:${pool.port}`,
      WARMGATE_AUTH_HS256_SECRET: secret,
      WARMGATE_LLM_BASE_URL: '',
    });
    const grpcAddress = `127.0.0.1:${gateway.grpcPort}`;
    const client = createClient(gatewayv1.Gateway, grpcAddress);
    const token = await signToken('abuse-bench-user');
    const call = () =>
      client.callTool(
        { name: 'profile_get', arguments: {} },
        { headers: { authorization: `Bearer ${token}` }, timeoutMs: 10_000 },
      );
    console.log(
      `abuse: ${settings.samples} paced calls (every ${settings.intervalMs} ms) by one signed-in user, alone, then under ${settings.webSockets} anonymous WebSockets + ${settings.grpcConnections} anonymous gRPC connections`,
    );
    await call(); // binds the user's container: both phases measure a bound user
    const quiet = await phase(call);
    const flood = startFlood({
      httpPort: gateway.httpPort,
      grpcAddress,
      webSockets: settings.webSockets,
      grpcConnections: settings.grpcConnections,
      sourceAddresses: floodSourceAddresses(10),
    });
    let flooded;
    try {
      await flood.opened;
      flooded = await phase(call);
    } finally {
      await flood.stop();
      client.close();
    }
    report(quiet, flooded, flood.stats);
  } finally {
    for (const child of children.reverse()) await stop(child);
    killContainers(stateDir);
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Phase {
  readonly summary: Summary;
  readonly errors: Record<string, number>;
  readonly loadavg: number[];
}

async function phase(call: () => Promise<unknown>): Promise<Phase> {
  const samples: number[] = [];
  const errors: Record<string, number> = {};
  for (let i = 0; i < settings.samples; i++) {
    const started = performance.now();
    try {
      await call();
      samples.push(performance.now() - started);
    } catch (error) {
      const code = codeName(WarmgateError.from(error).code);
      errors[code] = (errors[code] ?? 0) + 1;
    }
    const left = settings.intervalMs - (performance.now() - started);
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  }
  return { summary: summarize(samples), errors, loadavg: load() };
}

function report(quiet: Phase, flooded: Phase, flood: ReturnType<typeof startFlood>['stats']) {
  const row = (name: string, p: Phase) => ({
    phase: name,
    n: p.summary.n,
    errors: Object.values(p.errors).reduce((a, b) => a + b, 0),
    p50_ms: p.summary.p50_ms,
    p99_ms: p.summary.p99_ms,
    max_ms: p.summary.max_ms,
    loadavg_1m: p.loadavg[0]!,
  });
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const ratios = {
    p50: ratio(flooded.summary.p50_ms, quiet.summary.p50_ms),
    p99: ratio(flooded.summary.p99_ms, quiet.summary.p99_ms),
  };
  printTable('signed-in user: gRPC CallTool profile_get (reaches the agent)', [
    row('alone', quiet),
    row('under flood', flooded),
  ]);
  console.log(`\nratio flood/alone: p50 ${ratios.p50}×, p99 ${ratios.p99}×`);
  console.log(
    `flood: ${flood.wsOpened} WebSockets open (${flood.wsFailed} failed), close codes ${JSON.stringify(flood.wsCloseCodes)}; gRPC outcomes ${JSON.stringify(flood.grpcOutcomes)}`,
  );
  console.log(`load average now: ${load().join(' ')}`);
  writeResult('abuse', {
    settings,
    alone: { ...quiet.summary, errors: quiet.errors, loadavg: quiet.loadavg },
    under_flood: { ...flooded.summary, errors: flooded.errors, loadavg: flooded.loadavg },
    ratio_flood_over_alone: ratios,
    flood,
  });
}

/** Starts one compiled entry point and waits for its JSON ready line. */
async function start(children: ChildProcess[], entry: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [join(root, entry)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(child);
  return new Promise<{ port: number; httpPort: number; grpcPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} not ready in 60 s`)), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.includes('"ready":true')) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as { port: number; httpPort: number; grpcPort: number });
    });
    child.once('exit', (code) => reject(new Error(`${entry} exited (${code}) before ready`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

function signToken(sub: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ tier: 'pro' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(secret));
}
