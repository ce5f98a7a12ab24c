// `npm run bench -- abuse`: a signed-in user's latency without and with an anonymous flood,
// in one run on one stack (pool manager + gateway processes, real agent containers, default
// admission settings). The user makes paced gRPC tool calls that reach their agent
// (`profile_get`); the flood is 500 anonymous WebSockets asking for the tool list and 50
// anonymous gRPC connections listing tools in a loop (abuse-flood.ts). Prints p50/p99 of
// both phases, their ratio and the load average beside each; writes bench-results/abuse.json.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { SignJWT } from 'jose';
import { Settings } from '@warmgate/config';
import { codeName, gatewayv1, WarmgateError } from '@warmgate/proto';
import { createClient } from '@warmgate/proto/grpc';
import { floodSourceAddresses, startFlood } from '@warmgate/testkit';
import { startProcessStack } from '@warmgate/testkit';
import { printTable, summarize, writeResult, type Summary } from './harness.js';

const secret = 'abuse-bench-secret-that-is-long-enough!!';
const read = new Settings(process.env, 'abuse bench');
const settings = {
  samples: read.int('WARMGATE_ABUSE_SAMPLES', 200, { min: 1 }),
  /** The signed-in user's pace: a trading terminal, not a load generator. */
  intervalMs: read.duration('WARMGATE_ABUSE_INTERVAL_MS', 50, { min: 1 }),
  webSockets: read.int('WARMGATE_ABUSE_WEBSOCKETS', 500, { min: 1 }),
  grpcConnections: read.int('WARMGATE_ABUSE_GRPC', 50, { min: 1 }),
};
read.finish();

const load = () => loadavg().map((v) => Math.round(v * 100) / 100);

export async function run(): Promise<void> {
  // The Pool API's deployment secret: gateway/dist/main.js refuses to start without one.
  const poolSecret = randomBytes(32).toString('base64url');
  const stack = await startProcessStack({
    what: 'abuse',
    poolEnv: {
      WARMGATE_POOL_SECRET: poolSecret,
      WARMGATE_POOL_PROFILES: 'standard:min=2:max=8',
      WARMGATE_POOL_ADAPTIVE: 'false',
      WARMGATE_POOL_SHUTDOWN_GRACE: '10s',
    },
    gatewayEnv: { WARMGATE_POOL_SECRET: poolSecret, WARMGATE_AUTH_HS256_SECRET: secret },
    stopGraceMs: 20_000,
  });
  const { grpcAddress } = stack;
  try {
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
      httpPort: stack.httpPort,
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
    await stack.stop();
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

function signToken(sub: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ tier: 'pro' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(secret));
}
