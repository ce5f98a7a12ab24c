// Direct-mode unary gRPC calls must not leave an upstream MCP session each on the agent (each
// such call is a gateway session of its own). Counted on the real agent: its control API
// reports the MCP sessions it has open.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { grpcCaller, type Caller } from './support/callers.js';
import { startSplitStack, type SplitStack } from './support/split-stack.js';

let stack: SplitStack | undefined;
let caller: Caller | undefined;

beforeAll(async () => {
  stack = await startSplitStack();
  caller = grpcCaller(stack.gateway.grpcAddress);
}, 90_000);

afterAll(async () => {
  caller?.close();
  await stack?.close();
});

/** The MCP sessions open on the agent serving `userId`, asked as its sidecar would. */
async function openSessionsOf(userId: string): Promise<number> {
  const { binding } = await stack!.poolClient().getStatus({ userId });
  const dir = join(stack!.sandbox.stateDir, binding!.containerId);
  const { agent } = JSON.parse(readFileSync(join(dir, 'container.json'), 'utf8')) as {
    agent: { port: number };
  };
  const token = readFileSync(join(dir, 'control.token'), 'utf8');
  const response = await fetch(`http://127.0.0.1:${agent.port}/_lifecycle/status`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return ((await response.json()) as { mcpSessions: number }).mcpSessions;
}

it('20 direct-mode unary calls leave no MCP session open on the agent', async () => {
  const credential = await stack!.keys.credential('dora');
  for (let i = 0; i < 20; i++) {
    const outcome =
      i % 2 === 0
        ? await caller!.callTool(credential, 'profile_get', {})
        : await caller!.listTools(credential);
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
  }
  // Closing is asynchronous (an HTTP DELETE after the call answered).
  await expect.poll(() => openSessionsOf('dora'), { timeout: 5_000 }).toBe(0);
}, 60_000);
