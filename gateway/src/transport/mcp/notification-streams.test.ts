import { AuthMode } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import type { ListenRequest, Principal } from '../../core/ports.js';
import type { SessionCore } from '../../core/session/session-core.js';
import { createStreamSlots, serveListen, serveSessionStream } from './notification-streams.js';

const principal: Principal = {
  sessionId: 'sid-1',
  userId: 'alice',
  tier: 'pro',
  mode: AuthMode.GATEWAY,
};

/** A core whose listen channel the test drives: `update` delivers, `end` closes it. */
function drivenCore() {
  const seen: ListenRequest[] = [];
  let deliver: (uri: string) => void = () => {};
  let end: () => void = () => {};
  const core = {
    listen: async (_p, request, onUpdated, signal) => {
      seen.push(request);
      deliver = onUpdated;
      const closed = new Promise<void>((resolve) => {
        end = resolve;
        signal.addEventListener('abort', () => resolve());
      });
      return { closed };
    },
  } as Partial<SessionCore> as SessionCore;
  return { core, seen, update: (uri: string) => deliver(uri), end: () => end() };
}

async function collect(body: unknown) {
  const messages: unknown[] = [];
  for await (const event of body as AsyncIterable<string>) {
    messages.push(JSON.parse(event.replace(/^event: message\ndata: /, '')));
  }
  return messages;
}

describe('notification streams', () => {
  it('GET: listens as the session’s subscriber and forwards resources/updated', async () => {
    const driven = drivenCore();
    const answer = await serveSessionStream(
      driven.core,
      createStreamSlots(),
      principal,
      new AbortController().signal,
    );
    expect(driven.seen).toEqual([{ subscriber: 'sid-1', uris: [] }]);
    expect(answer.endsOnDrain).toBe(true);
    driven.update('context://user-profile');
    driven.end();
    expect(await collect(answer.body)).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/resources/updated',
        params: { uri: 'context://user-profile' },
      },
    ]);
  });

  it('listen: acknowledged first, updates tagged with the subscription id, a result when the agent ends it', async () => {
    const driven = drivenCore();
    const answer = await serveListen(
      driven.core,
      createStreamSlots(),
      principal,
      7,
      ['context://workspace-state'],
      new AbortController().signal,
    );
    expect(driven.seen).toEqual([{ uris: ['context://workspace-state'] }]);
    driven.update('context://workspace-state');
    driven.end();
    const meta = { 'io.modelcontextprotocol/subscriptionId': 7 };
    expect(await collect(answer.body)).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/subscriptions/acknowledged',
        params: {
          notifications: { resourceSubscriptions: ['context://workspace-state'] },
          _meta: meta,
        },
      },
      {
        jsonrpc: '2.0',
        method: 'notifications/resources/updated',
        params: { uri: 'context://workspace-state', _meta: meta },
      },
      { jsonrpc: '2.0', id: 7, result: { _meta: meta } },
    ]);
  });

  it('a principal that expires ends its stream', async () => {
    const driven = drivenCore();
    const answer = await serveSessionStream(
      driven.core,
      createStreamSlots(),
      { ...principal, expiresAt: Date.now() + 50 },
      new AbortController().signal,
    );
    expect(await collect(answer.body)).toEqual([]);
  });
});
