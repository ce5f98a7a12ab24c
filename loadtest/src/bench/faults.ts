// `npm run bench -- faults`: a bounded mixed load on the real stack (pool manager with the
// local-process runtime and real agent processes, one gateway, both as child processes on
// loopback) while agents are killed with SIGKILL at random. Reports requests served, errors
// by kind, and acknowledged writes lost — every acknowledged write (a saved indicator with a
// name of its own) is looked up in the user's bare repository in the store afterwards; the
// count must be 0. Virtual users alternate short sessions and idle pauses, and their tier's
// idle timeout is short, so containers are also drained, destroyed and rebound during the run.
//
// Settings (environment): WARMGATE_FAULTS_USERS (200), WARMGATE_FAULTS_DURATION_S (120),
// WARMGATE_FAULTS_ACTIVE (12 users in a session at once), WARMGATE_FAULTS_KILL_EVERY_MS (4000),
// WARMGATE_FAULTS_MAX_CONTAINERS (20), WARMGATE_FAULTS_CALLS_PER_SESSION (10).
import { randomBytes } from 'node:crypto';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SignJWT } from 'jose';
import { codeName, gatewayv1, WarmgateError } from '@warmgate/proto';
import { createClient } from '@warmgate/proto/grpc';
import { repoPathFor } from '@warmgate/contract';
import { printTable, writeResult } from './harness.js';
import { killContainers } from './kill-containers.js';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const secret = 'faults-bench-secret-that-is-long-enough!!';

const settings = {
  users: intFromEnv('WARMGATE_FAULTS_USERS', 200),
  durationS: intFromEnv('WARMGATE_FAULTS_DURATION_S', 120),
  active: intFromEnv('WARMGATE_FAULTS_ACTIVE', 12),
  killEveryMs: intFromEnv('WARMGATE_FAULTS_KILL_EVERY_MS', 4000),
  maxContainers: intFromEnv('WARMGATE_FAULTS_MAX_CONTAINERS', 20),
  callsPerSession: intFromEnv('WARMGATE_FAULTS_CALLS_PER_SESSION', 10),
};

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${name}: expected an integer ≥ 1`);
  return value;
}

interface Tally {
  served: number;
  errors: Map<string, number>;
  /** user → names of acknowledged writes */
  acked: Map<string, string[]>;
  kills: number;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'warmgate-faults-'));
  const storeDir = join(dir, 'store');
  const stateDir = join(dir, 'containers');
  mkdirSync(storeDir, { recursive: true });
  const children: ChildProcess[] = [];
  // The Pool API's deployment secret, shared by the two processes (never by the agents).
  const poolSecret = randomBytes(32).toString('base64url');
  try {
    const pool = await start(children, 'pool-manager/dist/main.js', {
      WARMGATE_POOL_SECRET: poolSecret,
      WARMGATE_POOL_HOST: '127.0.0.1',
      WARMGATE_POOL_PORT: '0',
      WARMGATE_POOL_METRICS_PORT: '0',
      WARMGATE_POOL_STATE_DIR: stateDir,
      WARMGATE_STORE_DIR: storeDir,
      WARMGATE_POOL_PROFILES: `standard:min=4:max=${settings.maxContainers}`,
      WARMGATE_POOL_TIERS: 'free=standard:3s',
      WARMGATE_POOL_REAP_INTERVAL: '1s',
      WARMGATE_POOL_ADAPTIVE: 'false',
      WARMGATE_POOL_SHUTDOWN_GRACE: '20s',
    });
    const gateway = await start(children, 'gateway/dist/main.js', {
      WARMGATE_HOST: '127.0.0.1',
      WARMGATE_HTTP_PORT: '0',
      WARMGATE_GRPC_PORT: '0',
      WARMGATE_POOL_ADDRESS: `127.0.0.1:${pool.port}`,
      WARMGATE_POOL_SECRET: poolSecret,
      WARMGATE_AUTH_HS256_SECRET: secret,
      WARMGATE_LLM_BASE_URL: '',
      WARMGATE_TOOL_TIMEOUT_MS: '10000',
    });
    const tally: Tally = { served: 0, errors: new Map(), acked: new Map(), kills: 0 };
    const started = Date.now();
    const deadline = started + settings.durationS * 1000;
    console.log(
      `faults: ${settings.users} users (${settings.active} in a session at once) for ${settings.durationS} s, a random agent killed every ${settings.killEveryMs} ms`,
    );
    await Promise.all([
      load(`127.0.0.1:${gateway.grpcPort}`, deadline, tally),
      killAgents(stateDir, deadline, tally),
    ]);
    const seconds = (Date.now() - started) / 1000;
    const { lost, checked, corrupt } = await verify(storeDir, tally);
    report(tally, seconds, lost, checked, corrupt);
  } finally {
    for (const child of children.reverse()) await stop(child);
    killContainers(stateDir);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts one compiled entry point and waits for its JSON ready line. */
async function start(children: ChildProcess[], entry: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [join(root, entry)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(child);
  return new Promise<{ port: number; grpcPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} not ready in 60 s`)), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.includes('"ready":true')) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as { port: number; grpcPort: number });
    });
    child.once('exit', (code) => reject(new Error(`${entry} exited (${code}) before ready`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/** Virtual users: at most `active` in a session at once; each session is a few calls. */
async function load(address: string, deadline: number, tally: Tally): Promise<void> {
  const client = createClient(gatewayv1.Gateway, address);
  const tokens = await Promise.all(
    Array.from({ length: settings.users }, (_, i) => token(`load-${i}`)),
  );
  let next = 0;
  let writes = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      const user = next++ % settings.users;
      const headers = { authorization: `Bearer ${tokens[user]}` };
      for (let call = 0; call < settings.callsPerSession && Date.now() < deadline; call++) {
        await oneCall(client, `load-${user}`, headers, ++writes, tally);
        await sleep(20 + Math.random() * 200);
      }
    }
  };
  await Promise.all(Array.from({ length: settings.active }, worker));
  client.close();
}

async function oneCall(
  client: ReturnType<typeof createClient<typeof gatewayv1.Gateway>>,
  user: string,
  headers: Record<string, string>,
  seq: number,
  tally: Tally,
): Promise<void> {
  const dice = Math.random();
  const options = { headers, timeoutMs: 30_000 };
  try {
    if (dice < 0.35) {
      const name = `w${seq}`;
      const result = await client.callTool(
        { name: 'indicator_save', arguments: { name, spec: { indicator: 'sma', period: 5 } } },
        options,
      );
      if (result.isError) return count(tally, `tool_error: ${textOf(result).slice(0, 48)}`);
      tally.acked.set(user, [...(tally.acked.get(user) ?? []), name]);
    } else if (dice < 0.7) {
      const result = await client.callTool({ name: 'indicator_list', arguments: {} }, options);
      if (result.isError) return count(tally, `tool_error: ${textOf(result).slice(0, 48)}`);
    } else if (dice < 0.85) {
      await client.readResource({ uri: 'context://user-profile' }, options);
    } else {
      await client.callTool({ name: 'market_quote', arguments: { symbol: 'AAPL' } }, options);
    }
    tally.served++;
  } catch (error) {
    const failure = WarmgateError.from(error);
    count(tally, `${codeName(failure.code)}: ${failure.message.slice(0, 48)}`);
  }
}

function textOf(result: gatewayv1.CallToolResponse): string {
  return result.content.map((c) => (c.kind.case === 'text' ? c.kind.value : '')).join(' ');
}

function count(tally: Tally, kind: string): void {
  tally.errors.set(kind, (tally.errors.get(kind) ?? 0) + 1);
}

/** Every `killEveryMs`, SIGKILLs the agent process group of a random bound container. */
async function killAgents(stateDir: string, deadline: number, tally: Tally): Promise<void> {
  while (Date.now() + settings.killEveryMs < deadline) {
    await sleep(settings.killEveryMs);
    const bound = readdirSync(stateDir).filter((id) =>
      existsSync(join(stateDir, id, 'claim.json')),
    );
    if (bound.length === 0) continue;
    const id = bound[Math.floor(Math.random() * bound.length)]!;
    try {
      const pid = Number(readFileSync(join(stateDir, id, 'agent.pid'), 'utf8'));
      process.kill(-pid, 'SIGKILL');
      tally.kills++;
    } catch {
      // destroyed in between: pick another next time
    }
  }
}

/** Looks up every acknowledged write in the store; fsck's every repository written to. */
async function verify(storeDir: string, tally: Tally) {
  let lost = 0;
  let checked = 0;
  let corrupt = 0;
  for (const [user, names] of tally.acked) {
    const gitDir = repoPathFor(storeDir, user);
    const { stdout } = await exec('git', [
      '--git-dir',
      gitDir,
      'ls-tree',
      '--name-only',
      'HEAD',
      'indicators/',
    ]);
    const stored = new Set(stdout.split('\n'));
    for (const name of names) {
      checked++;
      if (!stored.has(`indicators/${name}.json`)) lost++;
    }
    await exec('git', ['--git-dir', gitDir, 'fsck', '--full']).catch(() => corrupt++);
  }
  return { lost, checked, corrupt };
}

function report(tally: Tally, seconds: number, lost: number, checked: number, corrupt: number) {
  const errors = [...tally.errors].sort((a, b) => b[1] - a[1]);
  const failed = errors.reduce((sum, [, n]) => sum + n, 0);
  printTable('faults: mixed load with agents killed at random', [
    {
      users: settings.users,
      seconds: Math.round(seconds),
      agents_killed: tally.kills,
      requests_served: tally.served,
      requests_failed: failed,
      acknowledged_writes: checked,
      acknowledged_writes_lost: lost,
      repositories_corrupt: corrupt,
    },
  ]);
  printTable(
    'errors by kind',
    errors.map(([kind, n]) => ({ kind, count: n })),
  );
  writeResult('faults', {
    settings,
    seconds,
    agents_killed: tally.kills,
    requests_served: tally.served,
    requests_failed: failed,
    errors_by_kind: Object.fromEntries(errors),
    acknowledged_writes: checked,
    acknowledged_writes_lost: lost,
    repositories_written: tally.acked.size,
    repositories_corrupt: corrupt,
  });
  if (lost > 0 || corrupt > 0) process.exitCode = 1;
}

function token(sub: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(secret));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
