// A hung agent (SIGSTOP: the process is alive, its sockets accept, nothing answers), on the
// real split stack with a short per-call timeout: the hung user's call ends with a clear
// timeout instead of hanging, other users are served meanwhile, and the hung user is served
// again once the agent resumes or is replaced.
import { ErrorCode } from '@warmgate/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwt } from '../support/tokens.js';
import { grpcCaller, wsCaller, type Caller, type Outcome } from './support/callers.js';
import { signalAgent } from './support/faults.js';
import { startSplitStack, type SplitStack } from './support/split-stack.js';

const toolTimeoutMs = 1_500;
let stack: SplitStack;
let grpc: Caller;
let ws: Caller;
const faults = { injected: 0, survived: 0 };
let stoppedPid: number | undefined;

beforeAll(async () => {
  stack = await startSplitStack({
    gatewayEnv: { WARMGATE_TOOL_TIMEOUT_MS: String(toolTimeoutMs) },
  });
  grpc = grpcCaller(stack.gateway.grpcAddress);
  ws = wsCaller(stack.gateway.baseUrl);
}, 60_000);

afterAll(async () => {
  console.log(`faults slow-agent: ${faults.injected} injected, ${faults.survived} survived`);
  if (stoppedPid !== undefined) {
    try {
      process.kill(-stoppedPid, 'SIGCONT');
    } catch {
      // gone
    }
  }
  grpc?.close();
  await stack?.close();
});

const ok = (outcome: Outcome) => outcome.ok && outcome.toolError === undefined;

describe('a hung agent', () => {
  it('times out per call, keeps the gateway responsive for others, and recovers', async () => {
    const hung = await jwt({ sub: 'hank' });
    const other = await jwt({ sub: 'olga' });
    expect(ok(await grpc.callTool(hung, 'profile_get', {}))).toBe(true);
    expect(ok(await grpc.callTool(other, 'profile_get', {}))).toBe(true);

    stoppedPid = await signalAgent(stack, 'hank', 'SIGSTOP');
    faults.injected++;
    const started = Date.now();
    const hungCalls = [
      grpc.callTool(hung, 'profile_get', {}),
      ws.callTool(hung, 'indicator_list', {}),
    ];
    // Meanwhile the others are served, over both transports, and so is a platform tool for the
    // hung user (it runs in the gateway).
    for (let i = 0; i < 5; i++) {
      expect(ok(await grpc.callTool(other, 'profile_get', {}))).toBe(true);
      expect(ok(await ws.callTool(other, 'indicator_list', {}))).toBe(true);
    }
    expect(ok(await grpc.callTool(hung, 'time_now', {}))).toBe(true);
    expect(await stack.gateway.healthy()).toBe(true);
    for (const outcome of await Promise.all(hungCalls)) {
      expect(outcome).toMatchObject({ ok: false });
      if (!outcome.ok)
        expect([ErrorCode.DEADLINE_EXCEEDED, ErrorCode.UNAVAILABLE]).toContain(outcome.code);
    }
    // The timeout fired: bounded by the per-call timeout (with generous slack), not a hang.
    expect(Date.now() - started).toBeLessThan(toolTimeoutMs * 10);

    process.kill(-stoppedPid, 'SIGCONT');
    stoppedPid = undefined;
    await expect
      .poll(async () => ok(await grpc.callTool(hung, 'profile_get', {})), {
        timeout: 20_000,
        interval: 250,
      })
      .toBe(true);
    faults.survived++;
  });
});
