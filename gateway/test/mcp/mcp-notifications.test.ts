// What /mcp sends the client unasked, on the real split stack with TWO gateway replicas
// sharing WARMGATE_MCP_SESSION_SECRET: resource subscriptions (2025-11-25: subscribe on one
// replica, the GET stream on the other; 2026-07-28: subscriptions/listen), progress of a
// write forwarded from the agent, and a cancellation that reaches the agent through another
// replica than the one running the call.
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ResourceUpdatedNotificationSchema,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnGateway, type GatewayProcess } from '../reliability/support/gateway-process.js';
import { startSplitStack, type SplitStack } from '../reliability/support/split-stack.js';
import { jwt } from '../support/tokens.js';

const sessionSecret = randomBytes(32).toString('base64url');
let stack: SplitStack;
let second: GatewayProcess;
const replicas = () => [stack.gateway.baseUrl, second.baseUrl];

beforeAll(async () => {
  stack = await startSplitStack({ gatewayEnv: { WARMGATE_MCP_SESSION_SECRET: sessionSecret } });
  second = await spawnGateway(stack.pool.address, {
    WARMGATE_MCP_SESSION_SECRET: sessionSecret,
  });
}, 90_000);

afterAll(async () => {
  await second?.kill9();
  await stack?.close();
});

type Message = {
  id?: number | string;
  method?: string;
  params?: Record<string, unknown> & { uri?: string };
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
};

/** The JSON-RPC messages of an event stream, one at a time (keep-alive comments skipped). */
function eventsOf(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return {
    async next(timeoutMs = 20_000): Promise<Message> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trim())
            .join('\n');
          if (data !== '') return JSON.parse(data) as Message;
          continue;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
        const chunk = await Promise.race([
          reader.read(),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), left),
          ),
        ]);
        if (chunk.done) throw new Error('the stream ended');
        buffer += chunk.value;
      }
    },
    close: () => reader.cancel().catch(() => undefined),
  };
}

/** A raw 2025-11-25 session: every request names the replica that serves it. */
async function rawSession(token: string) {
  let nextId = 1;
  const headers = (session: string) => ({
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    authorization: `Bearer ${token}`,
    ...(session ? { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' } : {}),
  });
  const post = async (replica: number, session: string, body: object) =>
    fetch(`${replicas()[replica]}/mcp`, {
      method: 'POST',
      headers: headers(session),
      body: JSON.stringify({ jsonrpc: '2.0', ...body }),
    });
  const init = await post(0, '', {
    id: nextId++,
    method: 'initialize',
    params: {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 'raw', version: '1' },
    },
  });
  expect(init.status).toBe(200);
  const session = init.headers.get('mcp-session-id')!;
  await post(0, session, { method: 'notifications/initialized' });
  return {
    session,
    async request(replica: number, method: string, params: object = {}): Promise<Message> {
      const answer = await post(replica, session, { id: nextId++, method, params });
      return (await answer.json()) as Message;
    },
    notify: (replica: number, method: string, params: object) =>
      post(replica, session, { method, params }),
    /** Opens the session's GET stream on `replica`; resolves once it delivers. */
    async stream(replica: number) {
      const response = await fetch(`${replicas()[replica]}/mcp`, {
        headers: { ...headers(session), accept: 'text/event-stream' },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      return eventsOf(response);
    },
  };
}

const textOf = (result: Record<string, unknown> | undefined) =>
  ((result?.content ?? []) as { text?: string }[]).map((part) => part.text ?? '').join('');

describe('2025-11-25: resource subscriptions over the GET stream, across replicas', () => {
  it('subscribe on one replica, the GET stream on the other: updates of subscribed resources only', async () => {
    const mcp = await rawSession(await jwt({ sub: 'sub-raw-mcp' }));
    const stream = await mcp.stream(1);
    try {
      expect(
        (await mcp.request(0, 'resources/subscribe', { uri: 'context://user-profile' })).result,
      ).toEqual({});
      const update = await mcp.request(0, 'tools/call', {
        name: 'profile_update',
        arguments: { display_name: 'subscribed' },
      });
      expect(update.result?.isError, textOf(update.result)).toBe(false);
      expect(await stream.next()).toEqual({
        jsonrpc: '2.0',
        method: 'notifications/resources/updated',
        params: { uri: 'context://user-profile' },
      });

      // Unsubscribed (through the stream's own replica this time), the profile goes quiet;
      // the workspace, subscribed now, is what comes next.
      await mcp.request(1, 'resources/unsubscribe', { uri: 'context://user-profile' });
      await mcp.request(1, 'resources/subscribe', { uri: 'context://workspace-state' });
      await mcp.request(0, 'tools/call', {
        name: 'profile_update',
        arguments: { display_name: 'not watched' },
      });
      await mcp.request(1, 'tools/call', {
        name: 'workspace_set_chart',
        arguments: { symbol: 'ETHUSDT', timeframe: '4h' },
      });
      expect((await stream.next()).params?.uri).toBe('context://workspace-state');
    } finally {
      await stream.close();
    }
  });

  it('the official SDK client gets resources/updated with requests alternating replicas', async () => {
    const token = await jwt({ sub: 'sub-sdk-mcp' });
    const statuses: { method: string; status: number }[] = [];
    let next = 0;
    const transport = new StreamableHTTPClientTransport(new URL(`${replicas()[0]}/mcp`), {
      fetch: async (input, init) => {
        const url = new URL(String(input instanceof Request ? input.url : input));
        const target = new URL(url.pathname, replicas()[next++ % 2]);
        const response = await fetch(target, init);
        statuses.push({ method: init?.method ?? 'GET', status: response.status });
        return response;
      },
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    });
    const client = new Client({ name: 'warmgate-test', version: '1.0.0' });
    const updated: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
      updated.push(notification.params.uri);
    });
    await client.connect(transport);
    try {
      expect(client.getServerCapabilities()?.resources?.subscribe).toBe(true);
      // The SDK opens its GET stream by itself after initialize; wait until it is answered
      // (the gateway answers once the agent delivers on it).
      await until(() => statuses.some((s) => s.method === 'GET' && s.status === 200));
      await client.subscribeResource({ uri: 'context://system-prompt' });
      await client.callTool({ name: 'system_prompt_set', arguments: { text: 'be brief' } });
      await until(() => updated.length > 0);
      expect(updated).toEqual(['context://system-prompt']);
    } finally {
      await client.close();
    }
  });

  it('a GET without a session or without an event-stream Accept is refused', async () => {
    const noSession = await fetch(`${replicas()[0]}/mcp`, {
      headers: { accept: 'text/event-stream' },
    });
    expect(noSession.status).toBe(400);
    const mcp = await rawSession(await jwt({ sub: 'sub-raw-mcp' }));
    const wrongAccept = await fetch(`${replicas()[1]}/mcp`, {
      headers: { accept: 'application/json', 'mcp-session-id': mcp.session },
    });
    expect(wrongAccept.status).toBe(406);
  });
});

describe('2026-07-28: subscriptions/listen and cancellation', () => {
  it('a listen stream on one replica gets the update a request to the other replica caused', async () => {
    const token = await jwt({ sub: 'listen-mcp' });
    const post = (replica: number, id: number, method: string, params: object) =>
      fetch(`${replicas()[replica]}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2026-07-28',
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
      });
    const listen = await post(1, 41, 'subscriptions/listen', {
      notifications: { resourceSubscriptions: ['context://user-profile'] },
    });
    expect(listen.headers.get('content-type')).toBe('text/event-stream');
    const stream = eventsOf(listen);
    try {
      const meta = { 'io.modelcontextprotocol/subscriptionId': 41 };
      expect(await stream.next()).toEqual({
        jsonrpc: '2.0',
        method: 'notifications/subscriptions/acknowledged',
        params: {
          notifications: { resourceSubscriptions: ['context://user-profile'] },
          _meta: meta,
        },
      });
      const update = (await (
        await post(0, 42, 'tools/call', {
          name: 'profile_update',
          arguments: { display_name: 'listened' },
        })
      ).json()) as Message;
      expect(update.result?.isError).toBe(false);
      expect(await stream.next()).toEqual({
        jsonrpc: '2.0',
        method: 'notifications/resources/updated',
        params: { uri: 'context://user-profile', _meta: meta },
      });
    } finally {
      await stream.close();
    }
    const legacy = (await (
      await post(0, 43, 'resources/subscribe', { uri: 'context://user-profile' })
    ).json()) as Message;
    expect(legacy.error?.code).toBe(-32601);
  });

  it('a cancellation through the other replica stops the same credential’s call', async () => {
    const token = await jwt({ sub: 'listen-cancel-mcp' });
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      'mcp-protocol-version': '2026-07-28',
      authorization: `Bearer ${token}`,
    };
    const send = (replica: number, body: object) =>
      fetch(`${replicas()[replica]}/mcp`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', ...body }),
      });
    // Both replicas reach the agent first (see the 2025-11-25 cancellation test).
    for (const replica of [0, 1]) await send(replica, { id: 1, method: 'tools/list' });
    const cancel = await send(1, {
      method: 'notifications/cancelled',
      params: { requestId: 'w-1' },
    });
    expect(cancel.status).toBe(202);
    const call = (await (
      await send(0, {
        id: 'w-1',
        method: 'tools/call',
        params: { name: 'profile_update', arguments: { display_name: 'stateless cancelled' } },
      })
    ).json()) as Message;
    expect(textOf(call.result)).toBe('CANCELLED: the call was cancelled');
  });
});

describe('progress and cancellation', () => {
  it('a write with a progressToken gets notifications/progress from the agent, then its result', async () => {
    const client = new Client({ name: 'warmgate-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${replicas()[1]}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${await jwt({ sub: 'progress-mcp' })}` } },
    });
    await client.connect(transport);
    try {
      const progress: Progress[] = [];
      const result = await client.callTool(
        { name: 'profile_update', arguments: { display_name: 'with progress' } },
        undefined,
        { onprogress: (p) => progress.push(p) },
      );
      expect(result.isError).toBe(false);
      expect(progress).toEqual([
        { progress: 1, total: 2, message: 'committing and pushing the change' },
        { progress: 2, total: 2, message: 'committed and pushed' },
      ]);
    } finally {
      await client.close();
    }
  });

  it('a cancellation sent through the other replica reaches the agent: the write never commits', async () => {
    // The cancel of request 900 goes through replica 1, which does not run it, so it is
    // forwarded to the agent by name; the call then reaches the agent through replica 0. The
    // agent refuses it (a cancel may overtake its call across replicas) and commits nothing.
    const mcp = await rawSession(await jwt({ sub: 'cancel-mcp' }));
    // Both replicas reach the user's agent already: the cancel is forwarded at once (a
    // replica that must first bind the agent answers 202 after 5 s and forwards it later).
    for (const replica of [0, 1])
      expect((await mcp.request(replica, 'tools/list')).result).toBeDefined();
    const cancel = await mcp.notify(1, 'notifications/cancelled', {
      requestId: 900,
      reason: 'changed my mind',
    });
    expect(cancel.status).toBe(202);
    const answer = await fetch(`${replicas()[0]}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${await jwt({ sub: 'cancel-mcp' })}`,
        'mcp-session-id': mcp.session,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 900,
        method: 'tools/call',
        params: { name: 'profile_update', arguments: { display_name: 'cancelled write' } },
      }),
    });
    const call = (await answer.json()) as Message;
    expect(call.result?.isError).toBe(true);
    expect(textOf(call.result)).toBe('CANCELLED: the call was cancelled');
    const profile = await mcp.request(1, 'resources/read', { uri: 'context://user-profile' });
    expect(JSON.stringify(profile.result)).not.toContain('cancelled write');
  });
});

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
