// The server-to-client notification streams of /mcp, over one listening channel to the user's
// agent (AgentSession.listen: an agent MCP session of the replica serving the stream):
//   - 2025-11-25: the session's GET stream. The session's subscriptions are held by the agent
//     under the session's id (resources/subscribe may reach any replica), and the channel
//     declares that id, so the replica holding the GET delivers them.
//   - 2026-07-28: `subscriptions/listen`, a POST answered by a stream that starts with
//     notifications/subscriptions/acknowledged; the request names its resources itself.
// Either answers once the agent delivers on the channel, so nothing the client can cause after
// seeing the stream open is missed. The stream ends when the client goes away or the agent does.
import type { Principal } from '../../core/ports.js';
import { AsyncQueue } from '../../core/session/async-queue.js';
import type { SessionCore } from '../../core/session/session-core.js';
import { notification, sseEvent, sseResponse } from './sse.js';
import type { McpResponse } from './mcp-endpoint.js';

/** The 2026-07-28 key naming, in each notification, the listen request it belongs to. */
export const subscriptionIdMeta = 'io.modelcontextprotocol/subscriptionId';

const updated = (uri: string, meta?: object) =>
  notification('notifications/resources/updated', { uri, ...(meta ? { _meta: meta } : {}) });

export async function serveSessionStream(
  core: SessionCore,
  principal: Principal,
  signal: AbortSignal,
): Promise<McpResponse> {
  const events = new AsyncQueue<string>();
  const listening = await core.listen(
    principal,
    { subscriber: principal.sessionId, uris: [] },
    (uri) => events.push(sseEvent(updated(uri))),
    signal,
  );
  void listening.closed.finally(() => events.end());
  return sseResponse(events);
}

export interface ListenParams {
  readonly notifications?: { readonly resourceSubscriptions?: unknown };
}

/** Thrown as INVALID_ARGUMENT by the caller when the params are not a subscription filter. */
export function listenUris(params: ListenParams): string[] | undefined {
  const wanted = params.notifications?.resourceSubscriptions ?? [];
  if (!Array.isArray(wanted) || !wanted.every((uri) => typeof uri === 'string')) return undefined;
  return [...new Set(wanted as string[])];
}

export async function serveListen(
  core: SessionCore,
  principal: Principal,
  id: string | number,
  uris: string[],
  signal: AbortSignal,
): Promise<McpResponse> {
  const events = new AsyncQueue<string>();
  const meta = { [subscriptionIdMeta]: id };
  const listening = await core.listen(
    principal,
    { uris },
    (uri) => events.push(sseEvent(updated(uri, meta))),
    signal,
  );
  // Only resource subscriptions are honoured: Warmgate's lists do not change under a client.
  events.push(
    sseEvent(
      notification('notifications/subscriptions/acknowledged', {
        notifications: { resourceSubscriptions: uris },
        _meta: meta,
      }),
    ),
  );
  void listening.closed.finally(() => {
    // The subscription ended from our side (the agent went away): say so, as the spec asks.
    if (!signal.aborted) events.push(sseEvent({ jsonrpc: '2.0', id, result: { _meta: meta } }));
    events.end();
  });
  return sseResponse(events);
}
