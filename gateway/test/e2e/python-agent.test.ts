// Issue 14's "Done when", as a test: `WARMGATE_AGENT=python npm start` (the real stack from
// gateway/dist/stack/main.js) runs the Python reference agent (agent-py/) behind the sidecar's
// data plane. Over gRPC the six context resources; over WebSocket user tools: a user-written
// Python indicator saved and computed; its commit in the store's history, authored by the user.
// And the one contract both agents keep (issue 14): every conformance scenario over WebSocket,
// gRPC and MCP (../conformance/real-stack.ts, as test/e2e/stack.test.ts runs them against the
// default agent), and the official TypeScript and Python MCP clients through /mcp
// (../mcp/official-clients.ts, as test/mcp/mcp-interop.test.ts runs them).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { describeConformanceOnStack, nameUsers } from '../conformance/real-stack.js';
import { startScriptedOpenAi, type ScriptedOpenAi } from '../fixtures/scripted-openai.js';
import { describeOfficialClients } from '../mcp/official-clients.js';
import { grpcCaller, wsCaller, type Caller } from '../reliability/support/callers.js';
import { startStack, type StackProcess } from '../support/stack-process.js';
import { jwt, testAudience, testIssuer, testSecret } from '../support/tokens.js';
import {
  readsTheSixContextResources,
  savesAndComputesAPythonIndicator,
} from './python-agent-scenarios.js';

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
  it('serves the six context resources over gRPC', () =>
    readsTheSixContextResources(grpc, 'py-reader'));

  it('saves and computes a user-written Python indicator over WebSocket; its commit is in the store', () =>
    savesAndComputesAPythonIndicator(ws, store, 'py-writer'));
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
