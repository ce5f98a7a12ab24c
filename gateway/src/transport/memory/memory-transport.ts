// The in-memory transport: the session core called directly, with the same shape as a
// network client. Conformance scenarios run against it exactly as against WebSocket and
// gRPC; it also lets the gateway be embedded without sockets.
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { gatewayv1 } from '@warmgate/proto';
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

/** Authenticates like a transport would at connect time (throws the core's refusal). */
export async function connectMemory(core: SessionCore, token?: string): Promise<MemoryClient> {
  const principal = await core.authenticate(token);
  const session = new AbortController();
  const signalOf = (options?: MemoryCallOptions) =>
    options?.signal ? AbortSignal.any([options.signal, session.signal]) : session.signal;
  return {
    principal,
    chat(requests, options) {
      const signal = signalOf(options);
      return core.chat(principal, messages(requests, signal), signal);
    },
    callTool: (request, options) =>
      core.callTool(principal, create(gatewayv1.CallToolRequestSchema, request), signalOf(options)),
    listTools: (options) => core.listTools(principal, signalOf(options)),
    readResource: (request, options) =>
      core.readResource(
        principal,
        create(gatewayv1.ReadResourceRequestSchema, request),
        signalOf(options),
      ),
    close() {
      session.abort(new DOMException('the session closed', 'AbortError'));
      core.endSession(principal);
    },
  };
}

/** The client's requests as messages; iteration stops when the call is aborted. */
async function* messages(
  requests: AsyncIterable<MessageInitShape<typeof gatewayv1.ChatRequestSchema>>,
  signal: AbortSignal,
): AsyncIterable<gatewayv1.ChatRequest> {
  const iterator = requests[Symbol.asyncIterator]();
  const aborted = new Promise<IteratorResult<never>>((resolve) => {
    if (signal.aborted) resolve({ done: true, value: undefined as never });
    signal.addEventListener('abort', () => resolve({ done: true, value: undefined as never }), {
      once: true,
    });
  });
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) return;
      yield create(gatewayv1.ChatRequestSchema, next.value);
    }
  } finally {
    void iterator.return?.();
  }
}
