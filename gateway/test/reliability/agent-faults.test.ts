// An agent behind the sidecar's data plane that hangs, on the real split stack with the Python
// agent (issue 14, "Bad input and faults"): the sidecar answers the hung call 504
// DEADLINE_EXCEEDED within WARMGATE_SIDECAR_AGENT_TIMEOUT_MS and reports itself unhealthy; the
// gateway takes that for a dead agent and asks the pool again (stale_binding_id); the pool
// finds the sidecar unhealthy, retires the container and binds a fresh one, where the call is
// retried once. So the client gets an answer from a fresh container or a clear error, never a
// hang; the hung write is acknowledged only if the retry landed; the stopped agent's processes
// are gone. (An agent that crashes: agent-kill.test.ts, both agents. One that answers a write
// with something other than MCP, and the sidecar's codes for all three:
// agent/test/data-plane.test.ts.)
import { ErrorCode } from '@warmgate/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwt } from '../support/tokens.js';
import { agentPoolEnv } from './support/agents.js';
import { grpcCaller, type Caller, type Outcome } from './support/callers.js';
import { bindingIdOf, groupGone, signalAgent } from './support/faults.js';
import { startSplitStack, type SplitStack } from './support/split-stack.js';

let stack: SplitStack;
let caller: Caller;

beforeAll(async () => {
  stack = await startSplitStack({
    poolEnv: { ...(await agentPoolEnv('python')), WARMGATE_SIDECAR_AGENT_TIMEOUT_MS: '2000' },
  });
  caller = grpcCaller(stack.gateway.grpcAddress);
}, 600_000);

afterAll(async () => {
  caller?.close();
  await stack?.close();
});

const save = (token: string, name: string) =>
  caller.callTool(token, 'indicator_save', { name, spec: { indicator: 'sma', period: 4 } });
const acked = (outcome: Outcome) => outcome.ok && outcome.toolError === undefined;

describe('the Python agent hangs (SIGSTOP) during a write', () => {
  it('an answer from a fresh container or a clear error; the pool replaced the container; nothing unacknowledged stored', async () => {
    const token = await jwt({ sub: 'hana' });
    expect(acked(await save(token, 'before'))).toBe(true);
    const bindingBefore = await bindingIdOf(stack, 'hana');
    const pid = await signalAgent(stack, 'hana', 'SIGSTOP');
    let during: Outcome;
    try {
      const started = Date.now();
      during = await save(token, 'during');
      // Bounded: the sidecar's 2 s timeout, a re-acquire, a retry; never the caller's 15 s.
      expect(Date.now() - started).toBeLessThan(14_000);
    } finally {
      try {
        process.kill(-pid, 'SIGCONT');
      } catch {
        // already gone: the pool destroyed it
      }
    }
    console.log(`faults agent-hang (python): the hung write got ${JSON.stringify(during)}`);
    if (!acked(during)) {
      expect(during.ok).toBe(false);
      if (!during.ok) {
        expect([ErrorCode.UNAVAILABLE, ErrorCode.DEADLINE_EXCEEDED]).toContain(during.code);
        expect(during.message).toMatch(/\S/);
      }
    }
    // The pool replaced the container: a new binding, and the stopped agent is gone.
    expect(await bindingIdOf(stack, 'hana')).not.toBe(bindingBefore);
    await groupGone(pid, 20_000);
    expect(acked(await save(token, 'after'))).toBe(true);
    const stored = (await stack.git('hana', 'ls-tree', '--name-only', 'HEAD', 'indicators/'))
      .split('\n')
      .filter(Boolean);
    expect(stored).toContain('indicators/before.json');
    expect(stored).toContain('indicators/after.json');
    // The hung call's write is in the store exactly when the client saw it acknowledged.
    expect(stored.includes('indicators/during.json')).toBe(acked(during));
    await stack.git('hana', 'fsck', '--full', '--strict');
  }, 120_000);
});
