// Direct-mode unary gRPC calls must not leave an upstream MCP session each on the agent (each
// such call is a gateway session of its own; the sidecar's data plane forwards its DELETE).
// Counted on the real agent behind the data plane: its /healthz, on its socket in the
// container's folder, reports the MCP sessions it has open.
import { request } from 'node:http';
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

/** The MCP sessions open on the agent serving `userId`, asked on its own socket. */
async function openSessionsOf(userId: string): Promise<number> {
  const { binding } = await stack!.poolClient().getStatus({ userId });
  const socketPath = join(stack!.sandbox.stateDir, binding!.containerId, 'agent.sock');
  const body = await new Promise<string>((resolve, reject) => {
    const req = request({ socketPath, path: '/healthz' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(text));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
  return (JSON.parse(body) as { mcpSessions: number }).mcpSessions;
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
