// The gateway under fuzz: the compiled gateway (gateway/dist/main.js) in its own process, so
// "the process survives" and "memory stays bounded" are about a real server process, in front
// of a real Pool gRPC service and a real MCP agent (the upstream test fixtures) running in
// the test process. User "alice" is bound to the agent; the gateway verifies HS256 JWTs and
// accepts direct-mode JWEs. Needs a fresh build (`npx tsc -b`).
import { randomBytes } from 'node:crypto';
import { startAgentFixture, type AgentFixture } from '../upstream/mcp-agent-fixture.js';
import { binding, startPoolFixture } from '../upstream/pool-fixture.js';
import { spawnGateway, type GatewayProcess } from '../reliability/support/gateway-process.js';

export interface FuzzTarget extends Omit<GatewayProcess, 'stop' | 'kill9'> {
  readonly agent: AgentFixture;
  close(): Promise<void>;
}

export async function startFuzzTarget(env: Record<string, string> = {}): Promise<FuzzTarget> {
  const pool = await startPoolFixture();
  const key = randomBytes(32);
  const agent = await startAgentFixture({
    userId: 'alice',
    bindingId: 'b-alice',
    assertionKey: key,
  });
  pool.bindings.set('alice', () => binding('alice', 'b-alice', agent.url, key));
  let gateway: GatewayProcess;
  try {
    gateway = await spawnGateway(pool.address, env);
  } catch (error) {
    await agent.close();
    await pool.close();
    throw error;
  }
  return {
    ...gateway,
    agent,
    async close() {
      await gateway.stop();
      await agent.close();
      await pool.close();
    },
  };
}
