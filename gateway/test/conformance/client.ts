// What a conformance scenario sees of the gateway, whatever the transport: the four calls, and
// a chat handle. Failures reject with WarmgateError carrying the code the transport delivered.
import type { JsonObject } from '@bufbuild/protobuf';
import type { gatewayv1 } from '@warmgate/proto';

export interface ChatHandle {
  send(text: string, turnId?: string): void;
  cancel(turnId?: string): void;
  /** The next chat event (rejects on a stream-level failure or after `timeoutMs`). */
  next(timeoutMs?: number): Promise<gatewayv1.ChatResponse>;
  close(): void;
}

export interface ConformanceClient {
  listTools(): Promise<gatewayv1.ListToolsResponse>;
  callTool(name: string, args?: JsonObject): Promise<gatewayv1.CallToolResponse>;
  readResource(uri: string): Promise<gatewayv1.ReadResourceResponse>;
  chat(): ChatHandle;
  close(): Promise<void>;
}

export interface ConformanceTransport {
  readonly name: 'memory' | 'ws' | 'grpc' | 'mcp';
  connect(token?: string): Promise<ConformanceClient>;
  close(): Promise<void>;
}

/** Adapts an async iterable of events to ChatHandle.next. */
export function nextOf(
  events: AsyncIterable<gatewayv1.ChatResponse>,
): (timeoutMs?: number) => Promise<gatewayv1.ChatResponse> {
  const iterator = events[Symbol.asyncIterator]();
  return async (timeoutMs = 10_000) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no chat event within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      const next = await Promise.race([iterator.next(), timeout]);
      if (next.done) throw new Error('the chat stream ended');
      return next.value;
    } finally {
      clearTimeout(timer);
    }
  };
}
