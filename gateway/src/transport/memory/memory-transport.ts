// The in-memory transport: the session core called directly, with the same shape as a
// network client. Conformance scenarios run against it exactly as against WebSocket and
// gRPC; it also lets the gateway be embedded without sockets.
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { gatewayv1, WarmgateError } from '@warmgate/proto';
import { abortable } from '../../core/deadline.js';
import type { Principal } from '../../core/ports.js';
import type { SessionCore } from '../../core/session/session-core.js';

export interface MemoryCallOptions {
  readonly signal?: AbortSignal;
}

export interface MemoryClient {
  readonly principal: Principal;
  chat(
    requests: AsyncIterable<MessageInitShape<typeof gatewayv1.ChatRequestSchema>>,
    options?: MemoryCallOptions,
  ): AsyncIterable<gatewayv1.ChatResponse>;
  callTool(
    request: MessageInitShape<typeof gatewayv1.CallToolRequestSchema>,
    options?: MemoryCallOptions,
  ): Promise<gatewayv1.CallToolResponse>;
  listTools(options?: MemoryCallOptions): Promise<gatewayv1.ListToolsResponse>;
  readResource(
    request: MessageInitShape<typeof gatewayv1.ReadResourceRequestSchema>,
    options?: MemoryCallOptions,
  ): Promise<gatewayv1.ReadResourceResponse>;
  /** Ends the session, like a socket closing. */
  close(): void;
}

/** This transport's edge: every failure reaches the caller as a WarmgateError. */
const asWarmgateError = (error: unknown): never => {
  throw WarmgateError.from(error);
};

/** Authenticates like a transport would at connect time (throws the core's refusal). */
export async function connectMemory(core: SessionCore, token?: string): Promise<MemoryClient> {
  const principal = await core.authenticate(token).catch(asWarmgateError);
  const session = new AbortController();
  const signalOf = (options?: MemoryCallOptions) =>
    options?.signal ? AbortSignal.any([options.signal, session.signal]) : session.signal;
  return {
    principal,
    chat(requests, options) {
      const signal = signalOf(options);
      return events(core.chat(principal, messages(requests, signal), signal));
    },
    callTool: (request, options) =>
      core
        .callTool(principal, create(gatewayv1.CallToolRequestSchema, request), signalOf(options))
        .catch(asWarmgateError),
    listTools: (options) => core.listTools(principal, signalOf(options)).catch(asWarmgateError),
    readResource: (request, options) =>
      core
        .readResource(
          principal,
          create(gatewayv1.ReadResourceRequestSchema, request),
          signalOf(options),
        )
        .catch(asWarmgateError),
    close() {
      session.abort(new DOMException('the session closed', 'AbortError'));
      core.endSession(principal);
    },
  };
}

/** The client's requests as messages; iteration stops (quietly) when the call is aborted. */
async function* messages(
  requests: AsyncIterable<MessageInitShape<typeof gatewayv1.ChatRequestSchema>>,
  signal: AbortSignal,
): AsyncIterable<gatewayv1.ChatRequest> {
  try {
    for await (const request of abortable(requests, signal)) {
      yield create(gatewayv1.ChatRequestSchema, request);
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}

/** The session's events; a failed stream fails with a WarmgateError. */
async function* events(
  source: AsyncIterable<gatewayv1.ChatResponse>,
): AsyncIterable<gatewayv1.ChatResponse> {
  try {
    yield* source;
  } catch (error) {
    asWarmgateError(error);
  }
}
