// Test support (not a test file): an in-memory AgentHandle recording what the loop did.
import { create } from '@bufbuild/protobuf';
import { AuthMode, gatewayv1, errors } from '@warmgate/proto';
import type {
  AgentContext,
  AgentHandle,
  FinishedTurn,
  JsonObject,
  Principal,
  ToolDescriptor,
} from '../ports.js';

export const emptyContext: AgentContext = {
  profile: '',
  conversationSummary: '',
  workspaceState: '',
  systemPrompt: '',
  indicators: '',
  strategies: '',
};

export function principal(mode = AuthMode.GATEWAY): Principal {
  return { sessionId: 's1', userId: 'u1', tier: 'pro', mode };
}

export function userTool(name: string, readOnly = true): ToolDescriptor {
  return {
    name,
    description: `user tool ${name}`,
    inputSchema: { type: 'object' },
    annotations: { readOnly, destructive: !readOnly, idempotent: readOnly },
    route: 'user',
  };
}

export interface FakeAgent extends AgentHandle {
  readonly calls: { name: string; args: JsonObject }[];
  readonly saved: FinishedTurn[];
}

export function fakeAgent(
  options: {
    tools?: ToolDescriptor[];
    context?: Partial<AgentContext>;
    run?: (name: string, args: JsonObject, signal: AbortSignal) => Promise<string>;
  } = {},
): FakeAgent {
  const calls: { name: string; args: JsonObject }[] = [];
  const saved: FinishedTurn[] = [];
  return {
    calls,
    saved,
    tier: 'pro',
    listTools: async () => options.tools ?? [],
    async callTool(name, args, callOptions) {
      calls.push({ name, args });
      if (!(options.tools ?? []).some((t) => t.name === name)) {
        throw errors.notFound(`agent has no tool ${name}`);
      }
      const text = options.run
        ? await options.run(name, args, callOptions.signal)
        : `${name} ran with ${JSON.stringify(args)}`;
      return create(gatewayv1.CallToolResponseSchema, {
        content: [{ kind: { case: 'text', value: text } }],
      });
    },
    readResource: async () => create(gatewayv1.ReadResourceResponseSchema, {}),
    context: async () => ({ ...emptyContext, ...options.context }),
    verify: async () => {},
    async appendTurn(turn) {
      saved.push(turn);
    },
    subscribe: async () => {},
    unsubscribe: async () => {},
    listen: async () => ({ closed: Promise.resolve() }),
    cancel: async () => {},
  };
}
