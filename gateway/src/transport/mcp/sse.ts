// Server-Sent Events answers of /mcp: a request answered as a stream (notifications, then the
// JSON-RPC response), and the long-lived notification streams (GET, subscriptions/listen).
// The body is an async iterable of events; mcp-routes.ts writes them as they come.
import { AsyncQueue } from '../../core/session/async-queue.js';
import type { McpResponse } from './mcp-endpoint.js';

export function sseEvent(message: object): string {
  return `event: message\ndata: ${JSON.stringify(message)}\n\n`;
}

export function sseResponse(events: AsyncIterable<string>): McpResponse {
  return {
    status: '200 OK',
    headers: {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    },
    body: events,
  };
}

/** The client accepts an event stream as the answer to its POST (the spec asks it to). */
export function acceptsEventStream(accept: string): boolean {
  return accept.toLowerCase().includes('text/event-stream');
}

/**
 * Answers one request as a stream: what `run` notifies as it goes, then the JSON-RPC
 * response `run` resolves to (it must not reject: failures are JSON-RPC error bodies).
 */
export function streamedAnswer(
  run: (notify: (notification: object) => void) => Promise<object>,
): McpResponse {
  const events = new AsyncQueue<string>();
  run((notification) => events.push(sseEvent(notification))).then(
    (answer) => {
      events.push(sseEvent(answer));
      events.end();
    },
    (error: unknown) => events.fail(error),
  );
  return sseResponse(events);
}

export function notification(method: string, params: object): object {
  return { jsonrpc: '2.0', method, params };
}
