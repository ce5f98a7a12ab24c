// Issue 14's "Done when", as a test: `WARMGATE_AGENT=python npm start` (the real stack from
// gateway/dist/stack/main.js) runs the Python reference agent (agent-py/) behind the sidecar's
// data plane. Over gRPC the six context resources; over WebSocket user tools: a user-written
// Python indicator saved and computed; its commit in the store's history, authored by the user.
// And the one contract both agents keep (issue 14): every conformance scenario over WebSocket,
// gRPC and MCP (../conformance/real-stack.ts, as test/e2e/stack.test.ts runs them against the
// default agent), and the official TypeScript and Python MCP clients through /mcp
// (../mcp/official-clients.ts, as test/mcp/mcp-interop.test.ts runs them).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoPathFor } from '@warmgate/contract';
import { CONTEXT_RESOURCE_URIS, NUMPY_INDICATOR_SOURCE } from '@warmgate/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConformanceOnStack, nameUsers } from '../conformance/real-stack.js';
import { startScriptedOpenAi, type ScriptedOpenAi } from '../fixtures/scripted-openai.js';
import { describeOfficialClients } from '../mcp/official-clients.js';
import { grpcCaller, wsCaller, type Caller } from '../reliability/support/callers.js';
import { startStack, type StackProcess } from '../support/stack-process.js';
import { jwt, testAudience, testIssuer, testSecret } from '../support/tokens.js';

const run = promisify(execFile);

let stack: StackProcess;
let llm: ScriptedOpenAi;
let store: string;
let clientToken: string;
let grpc: Caller;
let ws: Caller;

beforeAll(async () => {
  store = mkdtempSync(join(tmpdir(), 'warmgate-py-store-'));
  llm = await startScriptedOpenAi();
  stack = await startStack({
    WARMGATE_AGENT: 'python',
    WARMGATE_STORE_DIR: store,
    // Users: alice and bob (conformance), py-reader, py-writer, py-client; public sessions.
    WARMGATE_POOL_PROFILES: 'standard:min=1:max=8',
    WARMGATE_LLM_BASE_URL: llm.url,
    WARMGATE_LLM_API_KEY: 'test-key',
    WARMGATE_LLM_MODEL: 'scripted',
    WARMGATE_AUTH_HS256_SECRET: testSecret,
    WARMGATE_AUTH_ISSUER: testIssuer,
    WARMGATE_AUTH_AUDIENCE: testAudience,
  });
  grpc = grpcCaller(stack.grpcAddress);
  ws = wsCaller(stack.baseUrl);
  await nameUsers(stack.grpcAddress, ['alice', 'bob', 'py-client']);
  clientToken = await jwt({ sub: 'py-client' });
}, 180_000);

afterAll(async () => {
  grpc?.close();
  ws?.close();
  await stack?.stop();
  await llm?.close();
  rmSync(store, { recursive: true, force: true });
});

describe('WARMGATE_AGENT=python npm start', () => {
  it('serves the six context resources over gRPC', async () => {
    const token = await jwt({ sub: 'py-reader' });
    for (const uri of CONTEXT_RESOURCE_URIS) {
      const outcome = await grpc.readResource(token, uri);
      expect(outcome, uri).toMatchObject({ ok: true });
    }
  });

  it('saves and computes a user-written Python indicator over WebSocket; its commit is in the store', async () => {
    const token = await jwt({ sub: 'py-writer' });
    const saved = await ws.callTool(token, 'indicator_save_python', {
      name: 'meandev',
      source: NUMPY_INDICATOR_SOURCE,
    });
    expect(saved).toMatchObject({ ok: true });
    expect(saved.ok && saved.toolError).toBeFalsy();
    const candles = [10, 11, 12, 14, 13].map((close, i) => ({
      time: 1_700_000_000_000 + i * 60_000,
      open: close,
      high: close,
      low: close,
      close,
    }));
    const computed = await ws.callTool(token, 'indicator_compute', { name: 'meandev', candles });
    expect(computed.ok && computed.toolError).toBeFalsy();
    // close minus its 3-candle mean: null, null, 1, 1.67, 0
    expect(computed.ok && computed.text).toContain('1.666');
    const repo = repoPathFor(store, 'py-writer');
    const { stdout: files } = await run('git', [
      '--git-dir',
      repo,
      'ls-tree',
      '-r',
      '--name-only',
      'HEAD',
    ]);
    expect(files).toContain('indicators/meandev.py');
    const { stdout: log } = await run('git', [
      '--git-dir',
      repo,
      'log',
      '--format=%an|%s',
      '--',
      'indicators/meandev.py',
    ]);
    // Authored by the user, with the agent's own message (_meta["warmgate/commit-message"]).
    expect(log.trim().split('\n')[0]).toBe('py-writer|Indicator: save meandev (Python)');
  });
});

describeConformanceOnStack(
  'python',
  () => stack,
  () => llm,
);

describeOfficialClients('python', {
  mcpUrl: () => `${stack.baseUrl}/mcp`,
  user: 'py-client',
  token: () => clientToken,
});
