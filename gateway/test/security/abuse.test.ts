// The abuse suite, on the real stack (pool manager + gateway processes, real agent
// containers): an anonymous flood must not stop a signed-in user being served, anonymous
// sessions must stay within the public profile's cap and give their containers back when
// their sockets close, and connections over a cap are refused with a retry hint.
// Loopback only (the flood's sockets come from 127.0.x.y source addresses).
import { ErrorCode, gatewayv1, WarmgateError } from '@warmgate/proto';
import { createClient } from '@warmgate/proto/grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floodSourceAddresses, startFlood, type Flood } from '@warmgate/testkit';
import { jwt } from '../support/tokens.js';
import { WsClient } from '../support/ws-client.js';
import { grpcCaller, type Caller } from '../reliability/support/callers.js';
import { startSplitStack, type SplitStack } from '../reliability/support/split-stack.js';

const PUBLIC_MAX = 3;
/** The promise under test: a signed-in user's call is answered within this, flood or not. */
const SERVED_WITHIN_MS = 2_000;

let stack: SplitStack;
let caller: Caller;
let flood: Flood | undefined;

beforeAll(async () => {
  stack = await startSplitStack({
    poolEnv: {
      WARMGATE_POOL_PROFILES: 'standard:min=2:max=6',
      WARMGATE_POOL_PUBLIC_PROFILE: `public:min=1:max=${PUBLIC_MAX}`,
    },
    // The gateway's own defaults (the test harness loosens them for the other suites).
    gatewayEnv: {
      WARMGATE_PUBLIC_CHAT: 'auto',
      WARMGATE_RATE_REQUESTS_PER_S: '50',
      WARMGATE_RATE_REQUESTS_BURST: '100',
      WARMGATE_RATE_TURNS_PER_MIN: '20',
      WARMGATE_RATE_TURNS_BURST: '5',
    },
  });
  caller = grpcCaller(stack.gateway.grpcAddress);
}, 60_000);

afterAll(async () => {
  await flood?.stop();
  caller?.close();
  await stack?.close();
});

async function profiles() {
  const state = (await stack.poolClient().getStatus({}, { timeoutMs: 5_000 })).state;
  const byName = new Map((state?.profiles ?? []).map((p) => [p.profile, p]));
  return { public: byName.get('public')!, standard: byName.get('standard')! };
}

/** One signed-in tool call over each transport, each bounded by SERVED_WITHIN_MS. */
async function signedInCalls(user: string) {
  const token = await jwt({ sub: user, tier: 'pro' });
  const grpc = createClient(gatewayv1.Gateway, stack.gateway.grpcAddress);
  const ws = await WsClient.connect(stack.gateway.baseUrl, { token });
  try {
    let started = performance.now();
    const overGrpc = await grpc.callTool(
      { name: 'profile_get', arguments: {} },
      { headers: { authorization: `Bearer ${token}` }, timeoutMs: SERVED_WITHIN_MS },
    );
    const grpcMs = Math.round(performance.now() - started);
    started = performance.now();
    const overWs = await Promise.race([
      ws.request({ id: 'p', kind: { case: 'callTool', value: { name: 'profile_get' } } }),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('not served within 2 s')), SERVED_WITHIN_MS),
      ),
    ]);
    const ms = { grpc: grpcMs, ws: Math.round(performance.now() - started) };
    return { overGrpc, overWs, ms };
  } finally {
    grpc.close();
    await ws.close();
  }
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return check();
}

describe('abuse: an anonymous flood', () => {
  it('500 anonymous WebSockets and 50 anonymous gRPC connections do not stop a signed-in user', async () => {
    flood = startFlood({
      httpPort: stack.gateway.httpPort,
      grpcAddress: stack.gateway.grpcAddress,
      webSockets: 500,
      grpcConnections: 50,
      // 10 sources × 50 sockets: every socket within the per-IP cap, so all 500 get in.
      sourceAddresses: floodSourceAddresses(10),
    });
    // The cap counts warm + starting + bound (a draining container is on its way out).
    let peakPublic = 0;
    let peakDraining = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const p = (await profiles()).public;
        peakPublic = Math.max(peakPublic, p.warm + p.starting + p.bound);
        peakDraining = Math.max(peakDraining, p.draining);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    try {
      await flood.opened;
      expect(flood.stats.wsOpened).toBe(500);
      // Let the flood's tool lists reach the pool manager.
      await until(async () => (await profiles()).public.bound >= PUBLIC_MAX, 15_000);
      for (const user of ['paula', 'pete']) {
        const { overGrpc, overWs, ms } = await signedInCalls(user);
        expect(overGrpc.isError).toBe(false);
        expect(overWs.kind.case).toBe('callTool');
        console.log(`abuse: ${user} served under the flood: ${JSON.stringify(ms)} ms`);
      }
      const { standard } = await profiles();
      // Only the two signed-in users hold standard containers: the flood took none.
      expect(standard.bound).toBe(2);
      // The flood gets what the public cap allows; the rest is refused or waits for a public
      // container and runs out of time — never a failure of another kind.
      for (const outcome of Object.keys(flood.stats.grpcOutcomes)) {
        expect(['OK', 'RESOURCE_EXHAUSTED', 'DEADLINE_EXCEEDED']).toContain(outcome);
      }
    } finally {
      sampling = false;
      await sampler;
      await flood.stop();
    }
    console.log(
      `abuse: public containers at most ${peakPublic} (cap ${PUBLIC_MAX}), ${peakDraining} draining; flood ${JSON.stringify(flood.stats)}`,
    );
    expect(peakPublic).toBeLessThanOrEqual(PUBLIC_MAX);
    // Anonymous containers go back when their sockets close, not after the idle timeout.
    expect(await until(async () => (await profiles()).public.bound === 0, 20_000)).toBe(true);
  }, 120_000);
});

describe('abuse: connection caps', () => {
  it('closes WebSockets over the per-IP cap with 1013 and refuses gRPC with retry metadata', async () => {
    await stack.restartGateway({
      WARMGATE_WS_MAX_CONNECTIONS_PER_IP: '20',
      WARMGATE_GRPC_MAX_CONNECTIONS_PER_IP: '4',
    });
    const capped = startFlood({
      httpPort: stack.gateway.httpPort,
      grpcAddress: stack.gateway.grpcAddress,
      webSockets: 30,
      grpcConnections: 0,
      sourceAddresses: ['127.0.20.1'],
    });
    const grpcClients = Array.from({ length: 6 }, () =>
      createClient(gatewayv1.Gateway, stack.gateway.grpcAddress, {
        channelOptions: { 'grpc.use_local_subchannel_pool': 1 },
      }),
    );
    try {
      await capped.opened;
      await until(async () => (capped.stats.wsCloseCodes['1013'] ?? 0) >= 10, 5_000);
      expect(capped.stats.wsCloseCodes['1013']).toBe(10);
      const outcomes = await Promise.all(
        grpcClients.map((client) =>
          client.listTools({}, { timeoutMs: 5_000 }).then(
            () => undefined,
            (error: unknown) => WarmgateError.from(error),
          ),
        ),
      );
      // (The admitted ones may be refused too, by the full public profile: another message.)
      const refused = outcomes.filter(
        (o) => o?.code === ErrorCode.RESOURCE_EXHAUSTED && o.message.includes('connections'),
      );
      expect(refused).toHaveLength(2);
      expect(refused[0]!.retryAfterMs).toBeGreaterThan(0);
      for (const client of grpcClients) client.close();
      // A signed-in user is still served once the anonymous connections from its address
      // have gone (the flood's own address is still at its cap).
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const { overGrpc } = await signedInCalls('paula');
      expect(overGrpc.isError).toBe(false);
      const metrics = await (await fetch(`${stack.gateway.baseUrl}/metrics`)).text();
      const wsPerIp = metrics
        .split('\n')
        .filter((line) => line.startsWith('warmgate_gateway_admission_refusals'))
        .filter((line) => line.includes('reason="connections_per_ip"'))
        .filter((line) => line.includes('transport="ws"'));
      expect(wsPerIp).toHaveLength(1);
      expect(wsPerIp[0]).toMatch(/ 10$/);
    } finally {
      for (const client of grpcClients) client.close();
      await capped.stop();
    }
  }, 60_000);
});
