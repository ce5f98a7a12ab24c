import { create } from '@bufbuild/protobuf';
import { AuthMode, errors, gatewayv1 } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../core/ports.js';
import type { SessionCore } from '../../core/session/session-core.js';
import { createMcpEndpoint, type McpRequest } from './mcp-endpoint.js';

/** A session core whose tool calls last until their signal aborts. */
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
    callTool: (_principal, _request, signal) =>
      new Promise((resolve, reject) => {
        signal.addEventListener('abort', () => reject(errors.cancelled('the call was cancelled')));
        setTimeout(() => resolve(create(gatewayv1.CallToolResponseSchema, {})), 5_000).unref();
      }),
    endSession: () => undefined,
  } as Partial<SessionCore> as SessionCore;
}

const endpoint = createMcpEndpoint({
  core: slowCore(),
  config: { authorizationServers: [], allowedHosts: ['localhost'], sessionTtlMs: 60_000 },
  sessionSecret: 'x'.repeat(32),
});

const post = (token: string, body: object, session = '') => {
  const headers: Record<string, string> = {
    host: 'localhost:8080',
    'content-type': 'application/json',
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
    const answer = JSON.parse((await call).body) as { result: { isError: boolean; _meta: object } };
    expect(answer.result.isError).toBe(true);
    expect(answer.result._meta).toEqual({ 'warmgate/code': 'CANCELLED' });
  });
});
