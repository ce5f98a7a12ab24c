import { create } from '@bufbuild/protobuf';
import { AuthMode, errors, gatewayv1 } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../core/ports.js';
import type { SessionCore } from '../../core/session/session-core.js';
import { createMcpEndpoint, type McpRequest } from './mcp-endpoint.js';

const forwarded: { callName: string; reason: string }[] = [];

/**
 * A session core whose tool calls last until their signal aborts (or 5 s), reporting one
 * progress step when asked; cancellations it is asked to forward are recorded.
 */
function slowCore(): SessionCore {
  let sessions = 0;
  return {
    authenticate: async (token) => {
      if (token !== 'alice' && token !== 'bob') throw errors.unauthenticated('bad token');
      const principal: Principal = {
        sessionId: `s${++sessions}`,
        userId: token,
        tier: 'pro',
        mode: AuthMode.GATEWAY,
      };
      return principal;
    },
    callTool: (_principal, request, signal, extra) =>
      new Promise((resolve, reject) => {
        extra?.onProgress?.({ progress: 1, total: 2, message: 'half way' });
        signal.addEventListener('abort', () => reject(errors.cancelled('the call was cancelled')));
        const ms = request.name === 'quick' ? 1 : 5_000;
        setTimeout(() => resolve(create(gatewayv1.CallToolResponseSchema, {})), ms).unref();
      }),
    cancelCall: async (_principal, callName, reason) => void forwarded.push({ callName, reason }),
    listen: async (_principal, _request, _onUpdated, signal) => ({
      closed: new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())),
    }),
    endSession: () => undefined,
  } as Partial<SessionCore> as SessionCore;
}

const endpoint = createMcpEndpoint({
  core: slowCore(),
  config: {
    authorizationServers: [],
    allowedHosts: ['localhost'],
    sessionTtlMs: 60_000,
    maxInFlight: 2,
  },
  sessionSecret: 'x'.repeat(32),
});

const post = (token: string, body: object, session = '', accept = 'application/json') => {
  const headers: Record<string, string> = {
    host: 'localhost:8080',
    'content-type': 'application/json',
    accept,
    authorization: `Bearer ${token}`,
    'mcp-session-id': session,
  };
  const request: McpRequest = {
    method: 'POST',
    header: (name) => headers[name] ?? '',
    body: JSON.stringify({ jsonrpc: '2.0', ...body }),
  };
  return endpoint(request, new AbortController().signal);
};

async function sessionOf(token: string) {
  const answer = await post(token, {
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 't', version: '1' },
    },
  });
  expect(answer.status).toBe('200 OK');
  return answer.headers['Mcp-Session-Id']!;
}

describe('cancellation at the MCP edge', () => {
  it('notifications/cancelled aborts the session’s own request, not another session’s', async () => {
    const alice = await sessionOf('alice');
    const bob = await sessionOf('bob');
    const call = post('alice', { id: 7, method: 'tools/call', params: { name: 'slow' } }, alice);
    // Bob cancelling alice's request id does nothing; alice cancelling it does.
    const cancel = (token: string, session: string) =>
      post(token, { method: 'notifications/cancelled', params: { requestId: 7 } }, session);
    expect((await cancel('bob', bob)).status).toBe('202 Accepted');
    const raced = await Promise.race([
      call,
      new Promise((r) => setTimeout(() => r('running'), 50)),
    ]);
    expect(raced).toBe('running');
    expect((await cancel('alice', alice)).status).toBe('202 Accepted');
    const answer = JSON.parse(String((await call).body)) as {
      result: { isError: boolean; _meta: object };
    };
    expect(answer.result.isError).toBe(true);
    expect(answer.result._meta).toEqual({ 'warmgate/code': 'CANCELLED' });
  });

  it('a cancellation for a request not running here is forwarded to the agent by name', async () => {
    const alice = await sessionOf('alice');
    forwarded.length = 0;
    const cancel = { method: 'notifications/cancelled', params: { requestId: 'r-9', reason: 'x' } };
    expect((await post('alice', cancel, alice)).status).toBe('202 Accepted');
    await new Promise((resolve) => setImmediate(resolve));
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]!.callName).toMatch(/^s\d+\/"r-9"$/);
    expect(forwarded[0]!.reason).toBe('x');
  });
});

describe('the per-session in-flight limit', () => {
  it('refuses a request past WARMGATE_MCP_MAX_IN_FLIGHT with -32029, other sessions unaffected', async () => {
    const alice = await sessionOf('alice');
    const bob = await sessionOf('bob');
    const slow = (id: number) =>
      post('alice', { id, method: 'tools/call', params: { name: 'slow' } }, alice);
    const running = [slow(1), slow(2)];
    const refused = JSON.parse(String((await slow(3)).body)) as {
      error: { code: number; message: string; data: object };
    };
    expect(refused.error.code).toBe(-32029);
    expect(refused.error.message).toContain('too many requests in flight for this MCP session');
    expect(refused.error.message).toContain('WARMGATE_MCP_MAX_IN_FLIGHT');
    expect(refused.error.data).toEqual({ warmgate_code: 'RESOURCE_EXHAUSTED' });
    const other = await post(
      'bob',
      { id: 1, method: 'tools/call', params: { name: 'quick' } },
      bob,
    );
    expect(JSON.parse(String(other.body))).toHaveProperty('result');
    for (const id of [1, 2]) {
      await post('alice', { method: 'notifications/cancelled', params: { requestId: id } }, alice);
    }
    await Promise.all(running);
    // Finished requests free their places.
    const again = await post(
      'alice',
      { id: 4, method: 'tools/call', params: { name: 'quick' } },
      alice,
    );
    expect(JSON.parse(String(again.body))).toHaveProperty('result');
  });
});

describe('progress at the MCP edge', () => {
  it('a tools/call with a progressToken is answered as an event stream: progress, then the result', async () => {
    const alice = await sessionOf('alice');
    const answer = await post(
      'alice',
      { id: 5, method: 'tools/call', params: { name: 'quick', _meta: { progressToken: 'p1' } } },
      alice,
      'application/json, text/event-stream',
    );
    expect(answer.headers['Content-Type']).toBe('text/event-stream');
    const events: unknown[] = [];
    for await (const event of answer.body as AsyncIterable<string>) {
      events.push(JSON.parse(event.replace(/^event: message\ndata: /, '')));
    }
    expect(events).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { progressToken: 'p1', progress: 1, total: 2, message: 'half way' },
      },
      { jsonrpc: '2.0', id: 5, result: { content: [], isError: false } },
    ]);
  });

  it('without an event-stream Accept the same call is one JSON body', async () => {
    const alice = await sessionOf('alice');
    const answer = await post(
      'alice',
      { id: 6, method: 'tools/call', params: { name: 'quick', _meta: { progressToken: 2 } } },
      alice,
    );
    expect(answer.headers['Content-Type']).toBe('application/json');
  });
});

describe('the GET notification stream', () => {
  const get = (
    session: string,
    controller = new AbortController(),
    accept = 'text/event-stream',
  ) => {
    const headers: Record<string, string> = {
      host: 'localhost:8080',
      accept,
      authorization: 'Bearer alice',
      'mcp-session-id': session,
    };
    const request: McpRequest = { method: 'GET', header: (name) => headers[name] ?? '', body: '' };
    return endpoint(request, controller.signal);
  };

  it('opens streams up to 4 per session on a replica, then answers 429 until one closes', async () => {
    const alice = await sessionOf('alice');
    const controllers = [0, 1, 2, 3].map(() => new AbortController());
    for (const controller of controllers) {
      const answer = await get(alice, controller);
      expect(answer.status).toBe('200 OK');
      expect(answer.headers['Content-Type']).toBe('text/event-stream');
    }
    const refused = await get(alice);
    expect(refused.status).toBe('429 Too Many Requests');
    expect(String(refused.body)).toContain('at most 4 notification streams');
    controllers[0]!.abort();
    await new Promise((resolve) => setImmediate(resolve));
    const again = new AbortController();
    expect((await get(alice, again)).status).toBe('200 OK');
    for (const controller of [...controllers, again]) controller.abort();
  });

  it('needs a session and an event-stream Accept', async () => {
    expect((await get('')).status).toBe('400 Bad Request');
    expect((await get(await sessionOf('alice'), undefined, 'application/json')).status).toBe(
      '406 Not Acceptable',
    );
    expect((await get('forged.id')).status).toBe('404 Not Found');
  });
});
