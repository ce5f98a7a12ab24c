// The gateway's behaviour, written once as data: each scenario names who connects and what
// must happen, and runs unchanged against every transport (memory, WebSocket, gRPC).
// Known failures are listed in `expectedFailures` and run as expected failures, never skipped.
import type { JsonObject } from '@bufbuild/protobuf';
import { ErrorCode, gatewayv1, WarmgateError } from '@warmgate/proto';
import { expect } from 'vitest';
import type { ConformanceClient } from './client.js';

/** The deployment-specific names a run supplies (fake agent or the real one). */
export interface Fixture {
  readonly platformTool: { name: string; args: JsonObject };
  /** A read-only user tool whose result names the user whose agent ran it. */
  readonly userReadTool: { name: string; args: JsonObject };
  readonly userWriteTool: { name: string; args: JsonObject };
  readonly contextResources: readonly string[];
  /** A message whose turn streams an answer and calls `toolName`. */
  readonly chatWithTool: { text: string; toolName: string };
  /** A message whose turn lasts until it is cancelled. */
  readonly slowChat: string;
  readonly maxMessageChars: number;
  /** Called before a chat scenario sends its message (e.g. to script the LLM's answer). */
  readonly prepare?: (what: 'chatWithTool' | 'slowChat' | 'plainChat') => void;
}

/** Who connects: a user with a valid token, anonymous, or someone with a bad token. */
export type Who = 'alice' | 'public' | 'expired-token' | 'bad-signature';

export interface Scenario {
  readonly id: string;
  readonly who: Who;
  run(client: ConformanceClient, fixture: Fixture): Promise<void>;
}

async function failure(promise: Promise<unknown>): Promise<WarmgateError> {
  try {
    await promise;
  } catch (error) {
    return WarmgateError.from(error);
  }
  throw new Error('expected the call to fail');
}

function textOf(result: gatewayv1.CallToolResponse): string {
  return result.content.map((part) => (part.kind.case === 'text' ? part.kind.value : '')).join('');
}

/** Reads chat events until `until` matches; bounded. */
async function events(
  chat: ReturnType<ConformanceClient['chat']>,
  until: (e: gatewayv1.ChatResponse) => boolean,
) {
  const seen: gatewayv1.ChatResponse[] = [];
  for (let i = 0; i < 200; i++) {
    const event = await chat.next();
    seen.push(event);
    if (until(event)) return seen;
  }
  throw new Error('too many chat events');
}

const isEnd = (e: gatewayv1.ChatResponse) => e.kind.case === 'final' || e.kind.case === 'error';

export const scenarios: readonly Scenario[] = [
  {
    id: 'tools.list',
    who: 'alice',
    async run(client, fixture) {
      const { tools } = await client.listTools();
      const byName = new Map(tools.map((tool) => [tool.name, tool]));
      expect(byName.get(fixture.platformTool.name)?.route).toBe(gatewayv1.ToolRoute.PLATFORM);
      expect(byName.get(fixture.userReadTool.name)?.route).toBe(gatewayv1.ToolRoute.USER);
      expect(byName.get(fixture.userWriteTool.name)?.annotations?.readOnly).toBe(false);
    },
  },
  {
    id: 'tools.call.platform',
    who: 'alice',
    async run(client, fixture) {
      const result = await client.callTool(fixture.platformTool.name, fixture.platformTool.args);
      expect(result.isError).toBe(false);
      expect(result.content.length).toBeGreaterThan(0);
    },
  },
  {
    id: 'tools.call.user',
    who: 'alice',
    async run(client, fixture) {
      const result = await client.callTool(fixture.userReadTool.name, fixture.userReadTool.args);
      expect(result.isError).toBe(false);
      expect(textOf(result) + JSON.stringify(result.structuredContent ?? {})).toContain('alice');
    },
  },
  {
    id: 'resources.read.context',
    who: 'alice',
    async run(client, fixture) {
      for (const uri of fixture.contextResources) {
        const { contents } = await client.readResource(uri);
        expect(contents[0]?.uri, uri).toBe(uri);
        expect(contents[0]?.body.case, uri).toBe('text');
      }
    },
  },
  {
    id: 'chat.stream-with-tool',
    who: 'alice',
    async run(client, fixture) {
      const chat = client.chat();
      fixture.prepare?.('chatWithTool');
      chat.send(fixture.chatWithTool.text, 'turn-1');
      const seen = await events(chat, isEnd);
      chat.close();
      const kinds = seen.map((e) => e.kind.case);
      expect(kinds[0]).toBe('started');
      expect(kinds).toContain('delta');
      const started = seen.find((e) => e.kind.case === 'toolCallStarted');
      expect(started?.kind.value).toMatchObject({ name: fixture.chatWithTool.toolName });
      expect(kinds.indexOf('toolCallFinished')).toBeGreaterThan(kinds.indexOf('toolCallStarted'));
      expect(kinds.at(-1)).toBe('final');
      expect(seen.every((e) => e.turnId === 'turn-1')).toBe(true);
      const final = seen.at(-1)!.kind.value as gatewayv1.FinalAnswer;
      const deltas = seen.map((e) => (e.kind.case === 'delta' ? e.kind.value.text : '')).join('');
      expect(final.text).toBe(deltas);
    },
  },
  {
    id: 'chat.cancel-turn',
    who: 'alice',
    async run(client, fixture) {
      const chat = client.chat();
      fixture.prepare?.('slowChat');
      chat.send(fixture.slowChat, 'slow-1');
      await events(chat, (e) => e.kind.case === 'delta');
      chat.send('are you there?', 'second');
      const busy = await chat.next();
      expect(busy.turnId).toBe('second');
      expect(busy.kind.value).toMatchObject({ code: ErrorCode.FAILED_PRECONDITION });
      chat.cancel('slow-1');
      const rest = await events(chat, isEnd);
      chat.close();
      expect(rest.at(-1)?.kind).toMatchObject({ case: 'final', value: { cancelled: true } });
    },
  },
  {
    id: 'chat.public-session',
    who: 'public',
    async run(client, fixture) {
      const chat = client.chat();
      fixture.prepare?.('plainChat');
      chat.send('hello', 'pub-1');
      const seen = await events(chat, isEnd);
      chat.close();
      expect(seen.at(-1)?.kind, JSON.stringify(seen.at(-1)?.kind.value)).toMatchObject({
        case: 'final',
      });
    },
  },
  {
    id: 'auth.bad-token',
    who: 'bad-signature',
    async run(client) {
      const error = await failure(client.listTools());
      expect([ErrorCode[error.code], error.message]).toEqual([
        'UNAUTHENTICATED',
        'signature invalid',
      ]);
    },
  },
  {
    id: 'auth.expired-token',
    who: 'expired-token',
    async run(client) {
      const error = await failure(client.listTools());
      expect([ErrorCode[error.code], error.message]).toEqual(['UNAUTHENTICATED', 'token expired']);
    },
  },
  {
    id: 'public.write-refused',
    who: 'public',
    async run(client, fixture) {
      const { tools } = await client.listTools();
      expect(tools.every((tool) => tool.annotations?.readOnly)).toBe(true);
      const error = await failure(
        client.callTool(fixture.userWriteTool.name, fixture.userWriteTool.args),
      );
      expect(ErrorCode[error.code]).toBe('PERMISSION_DENIED');
      expect(error.message).toMatch(/public sessions may call read-only tools only/);
    },
  },
  {
    id: 'tools.unknown',
    who: 'alice',
    async run(client) {
      const error = await failure(client.callTool('no_such_tool', {}));
      expect([ErrorCode[error.code], error.message]).toEqual([
        'NOT_FOUND',
        'no tool named "no_such_tool"',
      ]);
    },
  },
  {
    id: 'limits.oversized-message',
    who: 'alice',
    async run(client, fixture) {
      const chat = client.chat();
      chat.send('x'.repeat(fixture.maxMessageChars + 1), 'big');
      const event = await chat.next();
      chat.close();
      expect(event.turnId).toBe('big');
      expect(event.kind.value).toMatchObject({
        code: ErrorCode.INVALID_ARGUMENT,
        message: `message too long: ${fixture.maxMessageChars + 1} characters, the limit is ${fixture.maxMessageChars}`,
      });
    },
  },
  {
    id: 'isolation.other-user-id-in-arguments',
    who: 'alice',
    async run(client, fixture) {
      const args = { ...fixture.userReadTool.args, user_id: 'bob', userId: 'bob', user: 'bob' };
      const result = await client.callTool(fixture.userReadTool.name, args);
      const seen = textOf(result) + JSON.stringify(result.structuredContent ?? {});
      // The user's own agent answered: alice's data, nothing of bob's.
      expect(seen).toContain('alice');
      expect(seen).not.toContain('bob');
    },
  },
];

/**
 * Scenario id → runs on which it is known to fail ('memory', 'ws', 'ws-binary', 'grpc', 'mcp'),
 * for which agents of a real stack (all when `agents` is absent; 'typescript', 'python'), and
 * why. Those run as expected failures (it.fails): fixing one makes its test fail until the
 * entry is removed.
 */
export interface ExpectedFailure {
  readonly transports: readonly string[];
  readonly agents?: readonly string[];
  readonly reason: string;
}

const noChatOverMcp: ExpectedFailure = {
  transports: ['mcp'],
  reason:
    'MCP has no chat method: an MCP client brings its own model and calls tools; the LLM loop serves WebSocket and gRPC clients',
};

export const expectedFailures: Readonly<Record<string, ExpectedFailure>> = {
  'chat.stream-with-tool': noChatOverMcp,
  'chat.cancel-turn': noChatOverMcp,
  'chat.public-session': noChatOverMcp,
  'limits.oversized-message': noChatOverMcp,
};

/** The known failure of a scenario on a transport (and agent, on a real stack), if any. */
export function expectedFailureOf(
  id: string,
  transport: string,
  agent?: string,
): ExpectedFailure | undefined {
  const known = expectedFailures[id];
  if (!known?.transports.includes(transport)) return undefined;
  if (known.agents && (agent === undefined || !known.agents.includes(agent))) return undefined;
  return known;
}
