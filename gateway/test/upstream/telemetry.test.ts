// Trace context reaches the pool manager (gRPC metadata) and the agent (HTTP headers), and
// the upstream's metrics show up in the Prometheus exposition.
import { randomBytes } from 'node:crypto';
import { AuthMode } from '@warmgate/proto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTelemetry, type Telemetry } from '../../src/telemetry/setup.js';
import { tracer } from '../../src/telemetry/tracer.js';
import { createAgentConnector } from '../../src/upstream/index.js';
import { startAgentFixture, type AgentFixture } from './mcp-agent-fixture.js';
import { binding, startPoolFixture, type PoolFixture } from './pool-fixture.js';

let telemetry: Telemetry;
let pool: PoolFixture;
let agent: AgentFixture;
const key = randomBytes(32);

beforeAll(async () => {
  telemetry = await startTelemetry('warmgate-gateway-test');
  pool = await startPoolFixture();
  agent = await startAgentFixture({ userId: 'tina', bindingId: 'b-tina', assertionKey: key });
  pool.bindings.set('tina', () => binding('tina', 'b-tina', agent.url, key));
});
afterAll(async () => {
  await agent.close();
  await pool.close();
  await telemetry.shutdown();
});

it('propagates the trace to the pool manager and the agent, and counts the calls', async () => {
  const connector = createAgentConnector({ poolAddress: pool.address });
  try {
    const principal = { sessionId: 's', userId: 'tina', tier: 'pro', mode: AuthMode.GATEWAY };
    const signal = new AbortController().signal;
    const traceId = await tracer.startActiveSpan('client.request', async (span) => {
      const session = await connector.connect(principal, { signal });
      await session.callTool('note_read', {}, { signal });
      span.end();
      return span.spanContext().traceId;
    });
    expect(pool.traceparents.at(-1)).toContain(traceId);
    expect(agent.seen.traceparents.some((header) => header.includes(traceId))).toBe(true);
    const text = await telemetry.scrape();
    expect(text).toMatch(/warmgate_gateway_tool_calls_total\{[^}]*route="user"[^}]*\} 1/);
    expect(text).toMatch(
      /warmgate_gateway_acquire_latency_seconds_count\{[^}]*source="warm"[^}]*\} 1/,
    );
  } finally {
    await connector.close();
  }
});
