// The repo store fails under a bound user, on the real split stack: the repository can no
// longer be written (replaced by a file — tests run as root, so permissions would not stop
// git), or the store is full (its objects directory replaced by a file, so no object can be
// written). Writes are refused with a clear error and never acknowledged; nothing refused
// appears later; once the store is back, writes are acknowledged and durable again, and the
// repository is intact. Against both agents (issue 14): the default TypeScript agent and the
// Python agent behind the sidecar's data plane (support/agents.ts), whose failed push is
// rolled back by the sidecar and fails the call UNAVAILABLE.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '@warmgate/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwt } from '../support/tokens.js';
import { agentPoolEnv, FAULT_AGENTS } from './support/agents.js';
import { grpcCaller, type Caller, type Outcome } from './support/callers.js';
import { startSplitStack, type SplitStack } from './support/split-stack.js';

const save = (caller: Caller, token: string, name: string) =>
  caller.callTool(token, 'indicator_save', { name, spec: { indicator: 'sma', period: 3 } });
const acked = (outcome: Outcome) => outcome.ok && outcome.toolError === undefined;

/** Refused clearly: a tool error or an error with a specific code, and a message. */
function expectClearRefusal(outcome: Outcome) {
  expect(acked(outcome)).toBe(false);
  if (outcome.ok) expect(outcome.toolError).toMatch(/\S/);
  else {
    expect([ErrorCode.UNKNOWN, ErrorCode.INTERNAL]).not.toContain(outcome.code);
    expect(outcome.message).toMatch(/\S/);
  }
}

async function storedIndicators(stack: SplitStack, user: string): Promise<string[]> {
  return (await stack.git(user, 'ls-tree', '--name-only', 'HEAD', 'indicators/'))
    .split('\n')
    .filter(Boolean);
}

const breakages = {
  'the repository cannot be written': (repo: string) => {
    renameSync(repo, `${repo}.aside`);
    writeFileSync(repo, 'not a repository');
    return () => {
      rmSync(repo);
      renameSync(`${repo}.aside`, repo);
    };
  },
  'the store is full (no object can be written)': (repo: string) => {
    const objects = join(repo, 'objects');
    renameSync(objects, `${objects}.aside`);
    writeFileSync(objects, '');
    return () => {
      rmSync(objects);
      renameSync(`${objects}.aside`, objects);
    };
  },
};

for (const agent of FAULT_AGENTS) {
  describe(`the repo store fails (${agent} agent)`, () => {
    let stack: SplitStack;
    let caller: Caller;
    const faults = { injected: 0, survived: 0 };
    const refusals: Outcome[] = [];

    beforeAll(async () => {
      stack = await startSplitStack({ poolEnv: await agentPoolEnv(agent) });
      caller = grpcCaller(stack.gateway.grpcAddress);
    }, 600_000);

    afterAll(async () => {
      console.log(
        `faults store (${agent}): ${faults.injected} injected, ${faults.survived} survived`,
      );
      caller?.close();
      await stack?.close();
    });

    for (const [what, breakStore] of Object.entries(breakages)) {
      it(`${what}: writes are refused, never acknowledged and lost; recovery when it is back`, async () => {
        const user = what.includes('full') ? 'fay' : 'sid';
        const token = await jwt({ sub: user });
        expect(acked(await save(caller, token, 'kept'))).toBe(true);
        const repair = breakStore(stack.repoPath(user));
        faults.injected++;
        let refusedOutcome: Outcome;
        try {
          refusedOutcome = await save(caller, token, 'refused');
          expectClearRefusal(refusedOutcome);
          refusals.push(refusedOutcome);
          // Reads still work from the agent's workspace.
          expect(acked(await caller.callTool(token, 'indicator_get', { name: 'kept' }))).toBe(true);
        } finally {
          repair();
        }
        // The refused write was rolled back: it is neither served nor saved later.
        expect(acked(await caller.callTool(token, 'indicator_get', { name: 'refused' }))).toBe(
          false,
        );
        expect(acked(await save(caller, token, 'afterwards'))).toBe(true);
        const stored = await storedIndicators(stack, user);
        expect(stored).toContain('indicators/kept.json');
        expect(stored).toContain('indicators/afterwards.json');
        expect(stored).not.toContain('indicators/refused.json');
        await stack.git(user, 'fsck', '--full', '--strict');
        console.log(
          `faults store (${agent}, ${what}): refused with ${JSON.stringify(refusedOutcome).slice(0, 300)}`,
        );
        faults.survived++;
      });
    }

    // Issue 14: a failed push fails the call UNAVAILABLE (retryable), never INTERNAL (both
    // agents are behind the sidecar's data plane on the local runtime; before that, the default
    // agent's own push path answered "INTERNAL: git push failed").
    it('a write the store refused is UNAVAILABLE (retryable), never INTERNAL', () => {
      expect(refusals).toHaveLength(Object.keys(breakages).length);
      for (const refusal of refusals) expect(codeOf(refusal)).toBe('UNAVAILABLE');
    });
  });
}

/** The code of a refusal: the error's, or the one a tool error's text starts with. */
function codeOf(outcome: Outcome): string {
  if (!outcome.ok) return ErrorCode[outcome.code];
  return /^([A-Z_]+):/.exec(outcome.toolError ?? '')?.[1] ?? '';
}
