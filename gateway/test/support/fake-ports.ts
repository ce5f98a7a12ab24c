// Small fakes of the session core's ports, for unit tests and the in-memory conformance runs
// only (end-to-end tests use the real stack). Each principal gets its own fake agent, so a
// test can see which user's agent answered.
import { setTimeout as sleep } from 'node:timers/promises';
import { create } from '@bufbuild/protobuf';
import { ErrorCode, errors, gatewayv1, WarmgateError } from '@warmgate/proto';
import type {
  AgentConnector,
  AgentHandle,
  CallOptions,
  FinishedTurn,
  JsonObject,
  Listening,
  PlatformTools,
  Principal,
  ToolDescriptor,
  TurnRunner,
} from '../../src/core/ports.js';

export const contextResources = [
  'context://user-profile',
  'context://conversation-summary',
  'context://workspace-state',
  'context://system-prompt',
];

function tool(name: string, route: 'platform' | 'user', readOnly: boolean): ToolDescriptor {
  return {
    name,
    description: `fake ${name}`,
    inputSchema: { type: 'object' },
    annotations: { readOnly, destructive: !readOnly, idempotent: readOnly },
    route,
  };
}

function text(value: string, structured?: JsonObject): gatewayv1.CallToolResponse {
  return create(gatewayv1.CallToolResponseSchema, {
    content: [{ kind: { case: 'text', value } }],
    structuredContent: structured as never,
  });
}

/** Waits until the signal aborts, then fails the way a real callee would. */
async function untilAborted(signal: AbortSignal): Promise<never> {
  await sleep(60_000, undefined, { signal }).catch(() => undefined);
  throw WarmgateError.from(signal.reason ?? errors.cancelled('aborted'));
}

export class FakeAgent implements AgentHandle {
  readonly saved: FinishedTurn[] = [];
  readonly calls: { name: string; args: JsonObject }[] = [];
  constructor(
    readonly owner: string,
    readonly tier = 'free',
  ) {}

  async listTools(): Promise<ToolDescriptor[]> {
    return [
      tool('profile_get', 'user', true),
      tool('note_save', 'user', false),
      tool('slow_tool', 'user', true),
    ];
  }

  async callTool(name: string, args: JsonObject, options: CallOptions) {
    this.calls.push({ name, args });
    if (name === 'profile_get') return text(`profile of ${this.owner}`, { owner: this.owner });
    if (name === 'note_save') return text(`saved for ${this.owner}`);
    if (name === 'slow_tool') return untilAborted(options.signal);
    throw errors.notFound(`unknown tool "${name}"`);
  }

  async verify(): Promise<void> {}

  async readResource(uri: string) {
    if (!contextResources.includes(uri)) throw errors.notFound(`unknown resource "${uri}"`);
    return create(gatewayv1.ReadResourceResponseSchema, {
      contents: [
        {
          uri,
          mimeType: 'text/markdown',
          body: { case: 'text', value: `${uri} of ${this.owner}` },
        },
      ],
    });
  }

  async context() {
    const of = (what: string) => `${what} of ${this.owner}`;
    return {
      profile: of('profile'),
      conversationSummary: of('summary'),
      workspaceState: of('workspace'),
      systemPrompt: of('prompt'),
      indicators: '',
      strategies: '',
    };
  }

  async appendTurn(turn: FinishedTurn) {
    this.saved.push(turn);
  }

  // Notifications are tested against real agents (gateway/test/mcp/mcp-notifications.test.ts).
  async subscribe(): Promise<void> {}
  async unsubscribe(): Promise<void> {}
  async listen(): Promise<Listening> {
    return { closed: Promise.resolve() };
  }
  async cancel(): Promise<void> {}
}

export class FakeConnector implements AgentConnector {
  readonly agents = new Map<string, FakeAgent>();
  readonly disconnected: string[] = [];

  async connect(principal: Principal): Promise<AgentHandle> {
    let agent = this.agents.get(principal.userId);
    if (!agent) {
      agent = new FakeAgent(principal.userId, principal.tier);
      this.agents.set(principal.userId, agent);
    }
    return agent;
  }

  disconnect(principal: Principal): void {
    this.disconnected.push(principal.sessionId);
  }
}

export const fakePlatform: PlatformTools = {
  list: () => [tool('time_now', 'platform', true), tool('noop', 'platform', true)],
  async call(name) {
    if (name === 'time_now') return text('2026-01-01T00:00:00.000Z');
    if (name === 'noop') return text('');
    throw errors.notFound(`unknown tool "${name}"`);
  },
};

/**
 * A scripted turn: "slow ..." streams one delta and waits for cancellation; anything else
 * streams a greeting, calls profile_get through the agent, and answers. Like every TurnRunner
 * it ends with exactly one final answer (cancelled: with what it streamed) or error.
 */
export const fakeTurns: TurnRunner = {
  async run(turn, emit, signal) {
    const event = (kind: gatewayv1.ChatResponse['kind']) =>
      emit(create(gatewayv1.ChatResponseSchema, { turnId: turn.turnId, kind }));
    let answer = '';
    const delta = (text: string) => {
      answer += text;
      event({ case: 'delta', value: create(gatewayv1.TokenDeltaSchema, { text }) });
    };
    try {
      event({ case: 'started', value: create(gatewayv1.TurnStartedSchema, { model: 'fake' }) });
      delta('Hello, ');
      if (turn.text.startsWith('slow')) await untilAborted(signal);
      const args = { symbol: 'AAPL' };
      event({
        case: 'toolCallStarted',
        value: create(gatewayv1.ToolCallStartedSchema, {
          callId: 'c1',
          name: 'profile_get',
          arguments: args,
          route: gatewayv1.ToolRoute.USER,
        }),
      });
      const result = await turn.agent.callTool('profile_get', args, { signal });
      event({
        case: 'toolCallFinished',
        value: create(gatewayv1.ToolCallFinishedSchema, {
          callId: 'c1',
          name: 'profile_get',
          result,
        }),
      });
      delta('done.');
      event({
        case: 'final',
        value: create(gatewayv1.FinalAnswerSchema, { text: 'Hello, done.', toolRounds: 1 }),
      });
    } catch (error) {
      const failure = WarmgateError.from(signal.aborted ? signal.reason : error);
      if (signal.aborted && failure.code === ErrorCode.CANCELLED) {
        event({
          case: 'final',
          value: create(gatewayv1.FinalAnswerSchema, { text: answer, cancelled: true }),
        });
      } else {
        const { code, message, retryAfterMs = 0 } = failure;
        emit(
          create(gatewayv1.ChatResponseSchema, {
            turnId: turn.turnId,
            kind: { case: 'error', value: { code, message, retryAfterMs } },
          }),
        );
      }
    }
  },
};
