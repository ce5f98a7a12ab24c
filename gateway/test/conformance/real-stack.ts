// The conformance scenarios against a real stack (`npm start`: pool manager, local runtime,
// real agent + sidecar processes, gateway, a scripted LLM), over WebSocket (JSON and binary),
// gRPC and MCP, for one agent: `typescript` (the default agent) in test/e2e/stack.test.ts,
// `python` (agent-py/ behind the sidecar's data plane) in test/e2e/python-agent.test.ts.
// One contract, two agents (issue 14): the same scenarios and fixture for both; where an agent
// differs by design it is an entry in `expectedFailures` naming that agent, with its reason.
import { gatewayv1 } from '@warmgate/proto';
import { createClient } from '@warmgate/proto/grpc';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { contextResources } from '../../src/upstream/index.js';
import type { ScriptedOpenAi } from '../fixtures/scripted-openai.js';
import type { StackProcess } from '../support/stack-process.js';
import { jwt, testSecret } from '../support/tokens.js';
import type { ConformanceTransport } from './client.js';
import { mcpTransport } from './mcp-transport.js';
import { expectedFailureOf, scenarios, type Fixture, type Who } from './scenarios.js';
import { grpcTransport, wsTransport } from './transports.js';

export type StackAgent = 'typescript' | 'python';

const quoteCall = { id: 'call-1', name: 'market_quote', arguments: '{"symbol":"AAPL"}' };

/** Scripts the LLM's next turn: some text, a market_quote call, more text. */
export function scriptToolAnswer(llm: ScriptedOpenAi): void {
  llm.script(
    { steps: [{ text: 'Let me check. ' }, { toolCalls: [quoteCall] }], finishReason: 'tool_calls' },
    { steps: [{ text: 'AAPL is ' }, { text: 'quoted above.' }], finishReason: 'stop' },
  );
}

/** The fixture for a real stack: names from the agents' own tools (both agents have them). */
export function realStackFixture(llm: () => ScriptedOpenAi): Fixture {
  return {
    platformTool: { name: 'market_quote', args: { symbol: 'MSFT' } },
    userReadTool: { name: 'profile_get', args: {} },
    userWriteTool: { name: 'profile_update', args: { trading_style: 'scalping' } },
    contextResources: Object.values(contextResources),
    chatWithTool: { text: 'How is AAPL?', toolName: 'market_quote' },
    slowChat: 'Think for a long time.',
    maxMessageChars: 16_000,
    prepare(what) {
      if (what === 'chatWithTool') scriptToolAnswer(llm());
      else if (what === 'plainChat') llm().script({ steps: [{ text: 'Hello there.' }] });
      else llm().script({ steps: [{ text: 'Thinking' }, { hang: true }] });
    },
  };
}

export async function tokenFor(who: Who): Promise<string | undefined> {
  if (who === 'public') return undefined;
  if (who === 'expired-token') return jwt({ sub: 'alice', expiresIn: -120 });
  if (who === 'bad-signature') return jwt({ sub: 'alice', secret: `${testSecret}-other` });
  return jwt({ sub: 'alice' });
}

/**
 * Every scenario over every real transport against `stack()` running `agent`. The scenarios
 * expect each user's display name in their profile (the stack's set-up writes it).
 */
export function describeConformanceOnStack(
  agent: StackAgent,
  stack: () => StackProcess,
  llm: () => ScriptedOpenAi,
): void {
  const fixture = realStackFixture(llm);
  for (const [label, make] of [
    ['ws', () => wsTransport(stack().baseUrl)],
    ['ws-binary', () => wsTransport(stack().baseUrl, true)],
    ['grpc', () => grpcTransport(stack().grpcAddress)],
    ['mcp', () => mcpTransport(stack().baseUrl)],
  ] as const) {
    describe(`conformance over ${label} against the real stack, ${agent} agent`, () => {
      let transport: ConformanceTransport;
      beforeAll(() => {
        transport = make();
      });
      afterAll(async () => {
        await transport.close();
      });
      for (const scenario of scenarios) {
        const test = expectedFailureOf(scenario.id, label, agent) ? it.fails : it;
        test(scenario.id, async () => {
          const client = await transport.connect(await tokenFor(scenario.who));
          try {
            await scenario.run(client, fixture);
          } catch (error) {
            // The stack's own account of what happened, for the failure message.
            throw new Error(
              `${String(error)}\n--- stack output (tail):\n${stack().output().slice(-4000)}`,
              { cause: error },
            );
          } finally {
            await client.close();
          }
        });
      }
    });
  }
}

/** Names each user in their own workspace (over gRPC), so answers show whose agent ran. */
export async function nameUsers(
  grpcAddress: string,
  users: readonly string[] = ['alice', 'bob'],
): Promise<void> {
  const gateway = createClient(gatewayv1.Gateway, grpcAddress);
  try {
    for (const user of users) {
      const headers = { authorization: `Bearer ${await jwt({ sub: user })}` };
      await gateway.callTool(
        { name: 'profile_update', arguments: { display_name: user } },
        { headers },
      );
    }
  } finally {
    gateway.close();
  }
}
