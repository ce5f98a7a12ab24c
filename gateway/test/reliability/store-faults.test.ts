// The repo store fails under a bound user, on the real split stack: the repository can no
// longer be written (replaced by a file — tests run as root, so permissions would not stop
// git), or the store is full (its objects directory replaced by a file, so no object can be
// written). Writes are refused with a clear error and never acknowledged; nothing refused
// appears later; once the store is back, writes are acknowledged and durable again, and the
// repository is intact.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '@warmgate/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwt } from '../support/tokens.js';
import { grpcCaller, type Caller, type Outcome } from './support/callers.js';
import { startSplitStack, type SplitStack } from './support/split-stack.js';

let stack: SplitStack;
let caller: Caller;
const faults = { injected: 0, survived: 0 };

beforeAll(async () => {
  stack = await startSplitStack();
  caller = grpcCaller(stack.gateway.grpcAddress);
}, 60_000);

afterAll(async () => {
  console.log(`faults store: ${faults.injected} injected, ${faults.survived} survived`);
  caller?.close();
  await stack?.close();
});

const save = (token: string, name: string) =>
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

async function storedIndicators(user: string): Promise<string[]> {
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

describe('the repo store fails', () => {
  for (const [what, breakStore] of Object.entries(breakages)) {
    it(`${what}: writes are refused, never acknowledged and lost; recovery when it is back`, async () => {
      const user = what.includes('full') ? 'fay' : 'sid';
      const token = await jwt({ sub: user });
      expect(acked(await save(token, 'kept'))).toBe(true);
      const repair = breakStore(stack.repoPath(user));
      faults.injected++;
      let refusedOutcome: Outcome;
      try {
        refusedOutcome = await save(token, 'refused');
        expectClearRefusal(refusedOutcome);
        // Reads still work from the agent's workspace.
        expect(acked(await caller.callTool(token, 'indicator_get', { name: 'kept' }))).toBe(true);
      } finally {
        repair();
      }
      // The refused write was rolled back: it is neither served nor saved later.
      expect(acked(await caller.callTool(token, 'indicator_get', { name: 'refused' }))).toBe(false);
      expect(acked(await save(token, 'afterwards'))).toBe(true);
      const stored = await storedIndicators(user);
      expect(stored).toContain('indicators/kept.json');
      expect(stored).toContain('indicators/afterwards.json');
      expect(stored).not.toContain('indicators/refused.json');
      await stack.git(user, 'fsck', '--full', '--strict');
      console.log(
        `faults store (${what}): refused with ${JSON.stringify(refusedOutcome).slice(0, 300)}`,
      );
      faults.survived++;
    });
  }
});
