// kill -9 of a user's agent during a tool call and during writes, on the real split stack:
// the client gets a clear error (never INTERNAL, never a hang), the next request binds a fresh
// container, every acknowledged write is in the user's bare repository in the store, and the
// repository passes `git fsck`. Against both agents (issue 14): the default TypeScript agent
// and the Python agent behind the sidecar's data plane (support/agents.ts).
import { cpSync, writeFileSync } from 'node:fs';
import { ErrorCode } from '@warmgate/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwt } from '../support/tokens.js';
import { grpcCaller, type Caller, type Outcome } from './support/callers.js';
import { agentPoolEnv, FAULT_AGENTS } from './support/agents.js';
import { bindingIdOf, groupGone, signalAgent } from './support/faults.js';
import { startSplitStack, type SplitStack } from './support/split-stack.js';

const faultRounds = Number(process.env.WARMGATE_FAULT_ROUNDS ?? 3);

/**
 * The gateway retries a call once on a fresh container when the agent's connection dies
 * (gateway/src/upstream/agent-connector.ts), so a call in flight may succeed; when it fails,
 * the failure is clear: a specific code a client can act on, never INTERNAL or UNKNOWN.
 */
function expectAnswerOrClearError(outcome: Outcome) {
  if (outcome.ok) return;
  expect([ErrorCode.UNAVAILABLE, ErrorCode.ABORTED, ErrorCode.DEADLINE_EXCEEDED]).toContain(
    outcome.code,
  );
  expect(outcome.message).not.toBe('');
}

/** Write number n: a saved indicator of its own, so every write leaves its own file. */
const write = (caller: Caller, token: string, n: number) =>
  caller.callTool(token, 'indicator_save', {
    name: `w${n}`,
    spec: { indicator: 'sma', period: (n % 50) + 1 },
  });
const acked = (outcome: Outcome) => outcome.ok && outcome.toolError === undefined;

for (const agent of FAULT_AGENTS) {
  describe(`kill -9 of an agent (${agent})`, () => {
    let stack: SplitStack;
    let caller: Caller;
    const faults = { injected: 0, survived: 0 };

    beforeAll(async () => {
      stack = await startSplitStack({ poolEnv: await agentPoolEnv(agent) });
      caller = grpcCaller(stack.gateway.grpcAddress);
    }, 600_000);

    afterAll(async () => {
      console.log(
        `faults agent-kill (${agent}): ${faults.injected} injected, ${faults.survived} survived`,
      );
      caller?.close();
      await stack?.close();
    });

    it('during a tool call: an answer (retried on a fresh container) or a clear error; the next request is served by a fresh container', async () => {
      const token = await jwt({ sub: 'kim' });
      expect((await caller.callTool(token, 'profile_get', {})).ok).toBe(true);
      const before = await bindingIdOf(stack, 'kim');
      // Freeze the agent so the call is certainly in flight inside it, then kill it.
      const pid = await signalAgent(stack, 'kim', 'SIGSTOP');
      const inFlight = caller.callTool(token, 'profile_get', {});
      await new Promise((resolve) => setTimeout(resolve, 300));
      process.kill(-pid, 'SIGKILL');
      faults.injected++;
      await groupGone(pid);
      expectAnswerOrClearError(await inFlight);
      const next = await caller.callTool(token, 'profile_get', {});
      expect(next).toMatchObject({ ok: true });
      expect(await bindingIdOf(stack, 'kim')).not.toBe(before);
      faults.survived++;
    });

    it(
      'during writes: every acknowledged write is in the store, and git fsck is clean',
      async () => {
        const token = await jwt({ sub: 'wes' });
        const acknowledged: number[] = [];
        const refused: number[] = [];
        const toolErrors: string[] = [];
        let n = 0;
        expect(acked(await write(caller, token, ++n))).toBe(true); // bound before the first kill
        acknowledged.push(n);
        // Rounds (3; WARMGATE_FAULT_ROUNDS for more): a burst of writes with a kill -9 in it.
        for (let round = 0; round < faultRounds; round++) {
          const burst = Array.from({ length: 8 }, () => ++n);
          const results = burst.map(async (i, index) => {
            await new Promise((resolve) => setTimeout(resolve, index * 15));
            return { i, outcome: await write(caller, token, i) };
          });
          await new Promise((resolve) => setTimeout(resolve, 50));
          const pid = await signalAgent(stack, 'wes', 'SIGKILL').catch((error: unknown) => {
            console.log(`round ${round}: no kill: ${String(error)}`);
            return undefined;
          });
          if (pid !== undefined) {
            faults.injected++;
            await groupGone(pid);
          }
          for (const { i, outcome } of await Promise.all(results)) {
            if (acked(outcome)) acknowledged.push(i);
            else {
              expectAnswerOrClearError(outcome);
              refused.push(i);
              toolErrors.push(
                outcome.ok ? (outcome.toolError ?? '') : `${outcome.code} ${outcome.message}`,
              );
            }
          }
          // The next request binds a fresh container (and restores the repository).
          const after = await write(caller, token, ++n);
          expect(acked(after), JSON.stringify(after)).toBe(true);
          acknowledged.push(n);
          if (pid !== undefined) faults.survived++;
        }
        const stored = new Set(
          (await stack.git('wes', 'ls-tree', '--name-only', 'HEAD', 'indicators/')).split('\n'),
        );
        const lost = acknowledged.filter((i) => !stored.has(`indicators/w${i}.json`));
        if (toolErrors.length > 0)
          console.log(`refused writes said: ${[...new Set(toolErrors)].join(' | ')}`);
        console.log(
          `faults agent-kill (${agent}): ${acknowledged.length} writes acknowledged, ${refused.length} refused, ${lost.length} acknowledged writes lost`,
        );
        if (lost.length > 0) {
          // Keep the evidence: the store's repository, and the pool manager's log.
          const evidence = `/tmp/warmgate-lost-writes-${Date.now()}`;
          cpSync(stack.repoPath('wes'), `${evidence}/wes.git`, { recursive: true });
          writeFileSync(`${evidence}/pool-manager.log`, stack.pool.output());
          writeFileSync(`${evidence}/acknowledged.json`, JSON.stringify({ acknowledged, lost }));
          console.log(`lost acknowledged writes; evidence in ${evidence}`);
        }
        expect(lost).toEqual([]);
        await stack.git('wes', 'fsck', '--full', '--strict');
      },
      20_000 + faultRounds * 5_000,
    );
  });
}
