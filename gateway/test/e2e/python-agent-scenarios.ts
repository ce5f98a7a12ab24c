// Issue 14's "Done when" steps for the Python agent, written once and run against each stack
// that serves it: `WARMGATE_AGENT=python npm start` (python-agent.test.ts) and the same on the
// Docker runtime (python-agent-docker.test.ts).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoPathFor } from '@warmgate/contract';
import { CONTEXT_RESOURCE_URIS, NUMPY_INDICATOR_SOURCE } from '@warmgate/testkit';
import { expect } from 'vitest';
import type { Caller } from '../reliability/support/callers.js';
import { jwt } from '../support/tokens.js';

const run = promisify(execFile);

/** Five one-minute candles; `meandev` (close minus its 3-candle mean) of them ends 1, 1.67, 0. */
export const CANDLES = [10, 11, 12, 14, 13].map((close, i) => ({
  time: 1_700_000_000_000 + i * 60_000,
  open: close,
  high: close,
  low: close,
  close,
}));

/** Over gRPC (`grpc`), `userId` reads each of the six context resources. */
export async function readsTheSixContextResources(grpc: Caller, userId: string): Promise<void> {
  const token = await jwt({ sub: userId });
  for (const uri of CONTEXT_RESOURCE_URIS) {
    const outcome = await grpc.readResource(token, uri);
    expect(outcome, uri).toMatchObject({ ok: true });
  }
}

/**
 * Over WebSocket (`ws`), `userId` saves a numpy indicator and computes it; its file is in the
 * user's repository in `storeDir`, committed by the user with the agent's own message.
 */
export async function savesAndComputesAPythonIndicator(
  ws: Caller,
  storeDir: string,
  userId: string,
): Promise<void> {
  const token = await jwt({ sub: userId });
  const saved = await ws.callTool(token, 'indicator_save_python', {
    name: 'meandev',
    source: NUMPY_INDICATOR_SOURCE,
  });
  expect(saved).toMatchObject({ ok: true });
  expect(saved.ok && saved.toolError).toBeFalsy();
  const computed = await ws.callTool(token, 'indicator_compute', {
    name: 'meandev',
    candles: CANDLES,
  });
  expect(computed.ok && computed.toolError).toBeFalsy();
  // close minus its 3-candle mean: null, null, 1, 1.67, 0
  expect(computed.ok && computed.text).toContain('1.666');
  const repo = repoPathFor(storeDir, userId);
  const git = (...args: string[]) => run('git', ['--git-dir', repo, ...args]);
  const { stdout: files } = await git('ls-tree', '-r', '--name-only', 'HEAD');
  expect(files).toContain('indicators/meandev.py');
  const { stdout: log } = await git('log', '--format=%an|%s', '--', 'indicators/meandev.py');
  // Authored by the user, with the agent's own message (_meta["warmgate/commit-message"]).
  expect(log.trim().split('\n')[0]).toBe(`${userId}|Indicator: save meandev (Python)`);
}
