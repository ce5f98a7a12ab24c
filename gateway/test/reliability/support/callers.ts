// One way to call the gateway per transport, with any token (or none = public), each call
// ending in an Outcome: the answer serialised as JSON, or the error's code and message.
// Every call opens and closes its own connection, so a refused token cannot leak into the
// next call.
import { toJsonString, type JsonObject } from '@bufbuild/protobuf';
import { ErrorCode, gatewayv1, WarmgateError } from '@warmgate/proto';
import { createClient } from '@warmgate/proto/grpc';
import { AsyncQueue } from '../../../src/core/session/async-queue.js';
import { toError, WsClient } from '../../support/ws-client.js';

export type Outcome =
  /** `toolError`: the tool ran and failed (CallToolResult.isError), with its text. */
  | { readonly ok: true; readonly text: string; readonly toolError?: string }
  | {
      readonly ok: false;
      readonly code: ErrorCode;
      readonly message: string;
      /** The refusal's retry hint, when it carried one. */
      readonly retryAfterMs?: number;
    };

export interface Caller {
  readonly transport: 'ws' | 'grpc';
  listTools(token: string | undefined): Promise<Outcome>;
  callTool(token: string | undefined, name: string, args: JsonObject): Promise<Outcome>;
  readResource(token: string | undefined, uri: string): Promise<Outcome>;
  /** One chat turn: the final answer's text, or the first error. */
  chat(token: string | undefined, text: string): Promise<Outcome>;
  close(): void;
}

export function failed(error: unknown): Outcome {
  const e = WarmgateError.from(error);
  return {
    ok: false,
    code: e.code,
    message: e.message,
    ...(e.retryAfterMs === undefined ? {} : { retryAfterMs: e.retryAfterMs }),
  };
}

type ChatInit = { kind: { case: 'message'; value: { text: string; turnId: string } } };

export function grpcCaller(address: string): Caller {
  const client = createClient(gatewayv1.Gateway, address);
  const opts = (token?: string) => ({
    headers: (token === undefined ? {} : { authorization: `Bearer ${token}` }) as Record<
      string,
      string
    >,
    timeoutMs: 15_000,
  });
  const json = <T>(schema: Parameters<typeof toJsonString>[0], value: T) =>
    toJsonString(schema, value as never);
  return {
    transport: 'grpc',
    listTools: (token) =>
      client
        .listTools({}, opts(token))
        .then((r) => ({ ok: true, text: json(gatewayv1.ListToolsResponseSchema, r) }), failed),
    callTool: (token, name, args) =>
      client.callTool({ name, arguments: args }, opts(token)).then(toolOutcome, failed),
    readResource: (token, uri) =>
      client
        .readResource({ uri }, opts(token))
        .then((r) => ({ ok: true, text: json(gatewayv1.ReadResourceResponseSchema, r) }), failed),
    async chat(token, text) {
      const requests = new AsyncQueue<ChatInit>();
      const controller = new AbortController();
      requests.push({ kind: { case: 'message', value: { text, turnId: 't1' } } });
      try {
        for await (const event of client.chat(requests, {
          ...opts(token),
          signal: controller.signal,
        })) {
          if (event.kind.case === 'final') return { ok: true, text: event.kind.value.text };
          if (event.kind.case === 'error') return failed(toError(event.kind.value));
        }
        return { ok: false, code: ErrorCode.UNAVAILABLE, message: 'chat ended without an answer' };
      } catch (error) {
        return failed(error);
      } finally {
        requests.end();
        controller.abort();
      }
    },
    close: () => client.close(),
  };
}

export function wsCaller(baseUrl: string): Caller {
  let ids = 0;
  /** Opens a socket with the token in the upgrade; resolves once it is authenticated. */
  async function session<T>(token: string | undefined, use: (ws: WsClient) => Promise<T>) {
    const ws = await WsClient.connect(baseUrl, token === undefined ? {} : { token });
    try {
      if (token !== undefined) {
        const first = await ws.next('');
        if (first.kind.case === 'error') {
          throw new WarmgateError(first.kind.value.code, first.kind.value.message);
        }
      }
      return await use(ws);
    } finally {
      await ws.close();
    }
  }
  const unary = (token: string | undefined, kind: Parameters<WsClient['request']>[0]['kind']) =>
    session(token, async (ws) => {
      const answer = await ws.request({ id: `r${++ids}`, kind });
      return { ok: true as const, text: JSON.stringify(answer.kind.value, bigints) };
    }).catch(failed);
  return {
    transport: 'ws',
    listTools: (token) => unary(token, { case: 'listTools', value: {} }),
    callTool: (token, name, args) =>
      session(token, async (ws) => {
        const answer = await ws.request({
          id: `r${++ids}`,
          kind: { case: 'callTool', value: { name, arguments: args } },
        });
        return toolOutcome(answer.kind.value as gatewayv1.CallToolResponse);
      }).catch(failed),
    readResource: (token, uri) => unary(token, { case: 'readResource', value: { uri } }),
    chat: (token, text) =>
      session(token, async (ws) => {
        const id = `chat${++ids}`;
        const outcome = new Promise<Outcome>((resolve) => {
          ws.listen(id, (frame) => {
            if (frame.kind.case === 'error') {
              resolve(failed(toError(frame.kind.value)));
              return true;
            }
            if (frame.kind.case === 'chat' && frame.kind.value.kind.case === 'error') {
              resolve(failed(toError(frame.kind.value.kind.value)));
              return true;
            }
            if (frame.kind.case === 'chat' && frame.kind.value.kind.case === 'final') {
              resolve({ ok: true, text: frame.kind.value.kind.value.text });
              return true;
            }
            return false;
          });
        });
        ws.send({
          id,
          kind: {
            case: 'chat',
            value: { kind: { case: 'message', value: { text, turnId: 't1' } } },
          },
        });
        return outcome;
      }).catch(failed),
    close: () => undefined,
  };
}

function bigints(_key: string, value: unknown) {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** A tool result: ok, with `toolError` set when the tool ran and reported a failure. */
export function toolOutcome(response: gatewayv1.CallToolResponse): Outcome {
  const text = toJsonString(gatewayv1.CallToolResponseSchema, response);
  if (!response.isError) return { ok: true, text };
  const message = response.content
    .map((c) => (c.kind.case === 'text' ? c.kind.value : ''))
    .join(' ');
  return { ok: true, text, toolError: message || 'tool error' };
}
