// Anonymous MCP sessions give their public container back, on the real split stack (pool
// manager with real agents, the gateway process, the official MCP TypeScript client): at once
// on DELETE /mcp, and after WARMGATE_MCP_PUBLIC_IDLE_S without a request from a client that
// just goes away — so a few quiet anonymous clients cannot hold the public cap (default 4)
// for the pool manager's 10-minute public idle timeout, and the next anonymous client is
// served. Paying users never share the public profile (abuse.test.ts).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSplitStack, type SplitStack } from '../reliability/support/split-stack.js';

const PUBLIC_MAX = 2;
let stack: SplitStack;

beforeAll(async () => {
  stack = await startSplitStack({
    poolEnv: { WARMGATE_POOL_PUBLIC_PROFILE: `public:min=0:max=${PUBLIC_MAX}` },
  });
}, 60_000);

afterAll(() => stack?.close());

async function publicProfile() {
  const state = (await stack.poolClient().getStatus({}, { timeoutMs: 5_000 })).state;
  return state!.profiles.find((p) => p.profile === 'public')!;
}
const publicBound = async () => (await publicProfile()).bound;
/** Nothing bound, draining or starting: the cap has room for a claim. */
const publicSettled = async () => {
  const p = await publicProfile();
  return p.bound + p.draining + p.starting === 0;
};

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(100);
  }
  return check();
}

/** An anonymous MCP client that has called a user tool (so it holds a public container). */
async function anonymous() {
  const transport = new StreamableHTTPClientTransport(new URL(`${stack.gateway.baseUrl}/mcp`));
  const client = new Client({ name: 'anonymous', version: '1.0.0' });
  await client.connect(transport);
  const result = await client.callTool({ name: 'profile_get', arguments: {} });
  return { client, transport, result };
}

// The official client opens a GET notification stream after initialize; an open stream holds
// its session's container, so anonymous sessions are answered 405 there (and the client goes
// on without one).
describe('anonymous MCP sessions and the public cap', () => {
  it('DELETE /mcp gives the container back at once', async () => {
    const a = await anonymous();
    expect(a.result.isError).toBeFalsy();
    expect(await publicBound()).toBe(1);
    await a.transport.terminateSession(); // DELETE /mcp
    // Well before the idle timeout (60 s by default here).
    expect(await until(async () => (await publicBound()) === 0, 10_000)).toBe(true);
    await a.client.close();
  }, 60_000);

  it('quiet anonymous sessions give theirs back; the next anonymous client is served', async () => {
    await stack.restartGateway({ WARMGATE_MCP_PUBLIC_IDLE_S: '8' });
    // Two clients take the whole public cap at once and then go quiet without DELETE.
    const holders = await Promise.all([anonymous(), anonymous()]);
    for (const holder of holders) expect(holder.result.isError).toBeFalsy();
    expect(await publicBound()).toBe(PUBLIC_MAX);
    // A third is refused while they hold it (no waiting: the public cap refuses at once)…
    const third = await anonymous().then(
      ({ result, client }) => {
        void client.close();
        return result.isError ? JSON.stringify(result.content) : 'served';
      },
      (error: unknown) => String(error),
    );
    expect(third).toMatch(/maximum/);
    // …and served once their sessions have been quiet for 8 s.
    expect(await until(async () => (await publicBound()) === 0, 30_000)).toBe(true);
    expect(await until(publicSettled, 30_000), JSON.stringify(await publicProfile())).toBe(true);
    const later = await anonymous();
    expect(later.result.isError, JSON.stringify(later.result.content)).toBeFalsy();
    // A quiet session's id stays valid: its next request binds a container again.
    const again = await holders[0]!.client.callTool({ name: 'profile_get', arguments: {} });
    expect(again.isError).toBeFalsy();
    for (const c of [...holders, later]) await c.client.close();
  }, 120_000);
});
