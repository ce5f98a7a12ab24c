// The server-to-client notification streams of /mcp, over one listening channel to the user's
// agent (AgentHandle.listen: an agent MCP session of the replica serving the stream):
//   - 2025-11-25: the session's GET stream. The session's subscriptions are held by the agent
//     under the session's id (resources/subscribe may reach any replica), and the channel
//     declares that id, so the replica holding the GET delivers them.
//   - 2026-07-28: `subscriptions/listen`, a POST answered by a stream that starts with
//     notifications/subscriptions/acknowledged; the request names its resources itself.
// Either answers once the agent delivers on the channel, so nothing the client can cause after
// seeing the stream open is missed. The stream ends when the client goes away or the agent does.
import { randomUUID } from 'node:crypto';
import { errors } from '@warmgate/proto';
import type { Principal } from '../../core/ports.js';
import { AsyncQueue } from '../../core/session/async-queue.js';
import type { SessionCore } from '../../core/session/session-core.js';
import { notification, sseEvent, sseResponse } from './sse.js';
import type { McpResponse } from './mcp-endpoint.js';
import { createInFlight, type InFlight } from './in-flight.js';

/**
 * Streams one session may hold open on one replica: each holds an MCP session of the agent
 * (which keeps at most 64), so a client cannot crowd out the user's others.
 */
export const maxStreamsPerSession = 4;

export function createStreamSlots(): InFlight {
  return createInFlight(maxStreamsPerSession);
}

/** A place for one more stream of the principal's session, with the signal it ends on. */
function streamSlot(slots: InFlight, principal: Principal, signal: AbortSignal) {
  const slot = slots.start(principal.sessionId, randomUUID(), untilExpiry(principal, signal));
  if (!slot) {
    throw errors.resourceExhausted(
      `at most ${maxStreamsPerSession} notification streams per MCP session on one replica`,
    );
  }
  return slot;
}

/** The 2026-07-28 key naming, in each notification, the listen request it belongs to. */
export const subscriptionIdMeta = 'io.modelcontextprotocol/subscriptionId';

/**
 * The stream's own signal: it ends when the client goes away or the principal expires (token
 * `exp`, session end), as a request would be refused then.
 */
function untilExpiry(principal: Principal, signal: AbortSignal): AbortSignal {
  if (principal.expiresAt === undefined) return signal;
  const left = Math.min(Math.max(principal.expiresAt - Date.now(), 0), 2 ** 31 - 1);
  return AbortSignal.any([signal, AbortSignal.timeout(left)]);
}

const updated = (uri: string, meta?: object) =>
  notification('notifications/resources/updated', { uri, ...(meta ? { _meta: meta } : {}) });

export async function serveSessionStream(
  core: SessionCore,
  slots: InFlight,
  principal: Principal,
  signal: AbortSignal,
): Promise<McpResponse> {
  const events = new AsyncQueue<string>();
  const slot = streamSlot(slots, principal, signal);
  try {
    const listening = await core.listen(
      principal,
      { subscriber: principal.sessionId, uris: [] },
      (uri) => events.push(sseEvent(updated(uri))),
      slot.signal,
    );
    void listening.closed.finally(() => {
      slot.done();
      events.end();
    });
  } catch (error) {
    slot.done();
    throw error;
  }
  return { ...sseResponse(events), endsOnDrain: true };
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
  slots: InFlight,
  principal: Principal,
  id: string | number,
  uris: string[],
  signal: AbortSignal,
): Promise<McpResponse> {
  const events = new AsyncQueue<string>();
  const meta = { [subscriptionIdMeta]: id };
  const slot = streamSlot(slots, principal, signal);
  let listening;
  try {
    listening = await core.listen(
      principal,
      { uris },
      (uri) => events.push(sseEvent(updated(uri, meta))),
      slot.signal,
    );
  } catch (error) {
    slot.done();
    throw error;
  }
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
    slot.done();
    // The subscription ended from our side (the agent went away, or the token expired): say
    // so, as the spec asks; a client that went away gets nothing more.
    if (!signal.aborted) events.push(sseEvent({ jsonrpc: '2.0', id, result: { _meta: meta } }));
    events.end();
  });
  return { ...sseResponse(events), endsOnDrain: true };
}
