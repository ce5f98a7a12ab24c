// The hot path of a user tool call to the agent: one JSON-RPC `tools/call` POST on the MCP
// session the SDK client opened, sent with undici's request() on kept-alive connections and
// read with JSON.parse. Through the SDK client the same call cost Node's fetch (Request,
// Headers, web streams) plus zod validation of the message and of the CallToolResult — more
// CPU than the agent spends answering a cheap read (docs/benchmarks.md, "Gateway overhead").
// Errors are the SDK's (StreamableHTTPError, McpError, a `fetch failed` TypeError), so
// mcp-errors.ts maps them as before. An SSE answer (an agent that streams, or progress) is
// read whole: its result is taken, other messages go to `onOther` (the SDK client's handlers).
import { Agent, type Dispatcher } from 'undici';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ErrorCode as McpCode,
  McpError,
  type CallToolResult,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';

/** Kept-alive connections to every agent reached over TCP (one pool per origin). */
let tcpAgent: Agent | undefined;

export interface LeanCallTarget {
  readonly url: URL;
  /** A Unix socket (agent containers on `--network none`). */
  readonly socketPath?: string;
}

export interface LeanCallRequest {
  readonly id: string;
  readonly name: string;
  readonly arguments: Record<string, unknown>;
  readonly meta?: Record<string, unknown>;
  readonly headers: Record<string, string>;
  readonly signal: AbortSignal;
}

export interface LeanCaller {
  call(
    request: LeanCallRequest,
    onOther: (message: JSONRPCMessage) => void,
  ): Promise<CallToolResult>;
  close(): Promise<void>;
}

export function createLeanCaller(target: LeanCallTarget): LeanCaller {
  const own = target.socketPath
    ? new Agent({ connect: { socketPath: target.socketPath }, keepAliveTimeout: 60_000 })
    : undefined;
  const dispatcher: Dispatcher = own ?? (tcpAgent ??= new Agent({ keepAliveTimeout: 60_000 }));
  const origin = target.url.origin;
  const path = `${target.url.pathname}${target.url.search}`;
  return {
    async call(request, onOther) {
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id: request.id,
        method: 'tools/call',
        params: {
          name: request.name,
          arguments: request.arguments,
          ...(request.meta ? { _meta: request.meta } : {}),
        },
      });
      let answer: Dispatcher.ResponseData;
      try {
        answer = await dispatcher.request({
          origin,
          path,
          method: 'POST',
          headers: {
            ...request.headers,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
          },
          body,
          signal: request.signal,
        });
      } catch (cause) {
        if (request.signal.aborted) throw request.signal.reason;
        throw new TypeError('fetch failed', { cause });
      }
      let text: string;
      try {
        text = await answer.body.text();
      } catch (cause) {
        if (request.signal.aborted) throw request.signal.reason;
        throw new TypeError('fetch failed', { cause });
      }
      if (answer.statusCode < 200 || answer.statusCode >= 300) {
        throw new StreamableHTTPError(answer.statusCode, `Error POSTing to endpoint: ${text}`);
      }
      const type = String(answer.headers['content-type'] ?? '');
      const messages = type.startsWith('text/event-stream')
        ? sseMessages(text)
        : type.startsWith('application/json')
          ? ([] as unknown[]).concat(parse(text))
          : undefined;
      if (!messages) throw new StreamableHTTPError(-1, `Unexpected content type: ${type}`);
      let response:
        { result?: unknown; error?: { code: number; message: string; data?: unknown } } | undefined;
      for (const message of messages as (JSONRPCMessage & { id?: unknown })[]) {
        if (message?.id === request.id && ('result' in message || 'error' in message)) {
          response = message as typeof response;
        } else if (message && typeof message === 'object') {
          onOther(message);
        }
      }
      if (!response) {
        throw new McpError(McpCode.InternalError, 'the agent answered without a result');
      }
      if (response.error) {
        throw new McpError(response.error.code, response.error.message, response.error.data);
      }
      const result = response.result as CallToolResult | undefined;
      if (!result || typeof result !== 'object' || !Array.isArray(result.content)) {
        throw new McpError(McpCode.InvalidRequest, 'the agent answered tools/call without content');
      }
      return result;
    },
    close: async () => {
      await own?.close();
    },
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new McpError(McpCode.ParseError, 'the agent answered with malformed JSON');
  }
}

/** The `data` of every event of a complete SSE body, each a JSON-RPC message. */
function sseMessages(text: string): unknown[] {
  const messages: unknown[] = [];
  for (const event of text.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
      .join('\n');
    if (data !== '') messages.push(parse(data));
  }
  return messages;
}
