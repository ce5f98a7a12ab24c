// MCP Streamable HTTP at /mcp (2025-11-25 with sessions, 2026-07-28 stateless) on the real split stack — a pool
// manager with real agents and TWO gateway processes sharing WARMGATE_MCP_SESSION_SECRET. The
// official TypeScript SDK client drives each session, its requests alternating between the
// replicas (no sticky sessions): gateway mode (JWT), direct mode (JWE) and public sessions,
// then the resource-server behaviour (401 challenge, RFC 9728 metadata) and the refusals.
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnGateway, type GatewayProcess } from '../reliability/support/gateway-process.js';
import { startSplitStack, type SplitStack } from '../reliability/support/split-stack.js';
import { jwt } from '../support/tokens.js';

const sessionSecret = randomBytes(32).toString('base64url');
let stack: SplitStack;
let second: GatewayProcess;

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

/** Every request of the client goes to the next replica in turn; records who served what. */
function alternating(token?: string) {
  const replicas = [stack.gateway.baseUrl, second.baseUrl];
  const served: { replica: number; method: string; status: number; session: string }[] = [];
  let next = 0;
  const fetchAlternating = async (input: string | URL | Request, init?: RequestInit) => {
    const replica = next++ % replicas.length;
    const url = new URL(String(input instanceof Request ? input.url : input));
    const target = new URL(url.pathname + url.search, replicas[replica]);
    const response = await fetch(target, init);
    served.push({
      replica,
      method: init?.method ?? 'GET',
      status: response.status,
      session: new Headers(init?.headers).get('mcp-session-id') ?? '',
    });
    return response;
  };
  const transport = new StreamableHTTPClientTransport(new URL(`${replicas[0]}/mcp`), {
    fetch: fetchAlternating,
    requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : undefined,
  });
  const client = new Client({ name: 'warmgate-test', version: '1.0.0' });
  return { client, transport, served };
}

const textOf = (result: object) =>
  (((result as { content?: unknown }).content ?? []) as { type: string; text?: string }[])
    .map((part) => part.text ?? '')
    .join('');

describe('MCP 2025-11-25 across two gateway replicas', () => {
  it('gateway mode: tools, a user tool, context resources; requests alternate replicas', async () => {
    const { client, transport, served } = alternating(await jwt({ sub: 'mallory-mcp' }));
    await client.connect(transport);
    try {
      expect(client.getServerVersion()?.name).toBe('warmgate');
      const { tools } = await client.listTools();
      const byName = new Map(tools.map((tool) => [tool.name, tool]));
      expect(byName.get('market_quote')?._meta?.['warmgate/route']).toBe('platform');
      expect(byName.get('profile_get')?._meta?.['warmgate/route']).toBe('user');
      expect(byName.get('profile_update')?.annotations?.readOnlyHint).toBe(false);
      expect(byName.has('conversation_append')).toBe(false); // internal to the gateway

      const update = await client.callTool({
        name: 'profile_update',
        arguments: { display_name: 'mallory over mcp' },
      });
      expect(update.isError, textOf(update)).toBe(false);
      const profile = await client.readResource({ uri: 'context://user-profile' });
      expect(JSON.stringify(profile.contents)).toContain('mallory over mcp');
      const quote = await client.callTool({ name: 'market_quote', arguments: { symbol: 'AAPL' } });
      expect(quote.isError).toBe(false);

      const { resources } = await client.listResources();
      expect(resources.map((r) => r.uri)).toContain('context://user-profile');
      expect(resources).toHaveLength(6);
      const { resourceTemplates } = await client.listResourceTemplates();
      expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual([
        'indicators://{name}',
        'strategies://{name}',
      ]);
      await client.ping();
    } finally {
      await client.close();
    }
    // One session, served by both replicas, every request answered (the GET the SDK opens
    // for the server-to-client stream too: mcp-notifications.test.ts tests what it carries).
    const inSession = served.filter((entry) => entry.session !== '');
    expect(served.filter((entry) => entry.method === 'GET').every((e) => e.status === 200)).toBe(
      true,
    );
    expect(new Set(inSession.map((entry) => entry.session)).size).toBe(1);
    expect(new Set(inSession.map((entry) => entry.replica))).toEqual(new Set([0, 1]));
    expect(served.every((entry) => entry.status < 300)).toBe(true);
  });

  it('direct mode: a JWE reaches its own agent through both replicas', async () => {
    const credential = await stack.keys.credential('dora-mcp');
    const { client, transport, served } = alternating(credential);
    await client.connect(transport);
    try {
      await client.callTool({ name: 'profile_update', arguments: { display_name: 'dora' } });
      const profile = await client.callTool({ name: 'profile_get', arguments: {} });
      expect(profile.isError, textOf(profile)).toBe(false);
      expect(JSON.stringify(profile)).toContain('dora');
    } finally {
      await client.close();
    }
    expect(new Set(served.map((entry) => entry.replica))).toEqual(new Set([0, 1]));
  });

  it('public sessions: read-only tools, the writes refused, context readable', async () => {
    const { client, transport } = alternating();
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.length).toBeGreaterThan(0);
      expect(tools.every((tool) => tool.annotations?.readOnlyHint === true)).toBe(true);
      const write = await client.callTool({
        name: 'profile_update',
        arguments: { display_name: 'anon' },
      });
      expect(write.isError).toBe(true);
      expect(write._meta?.['warmgate/code']).toBe('PERMISSION_DENIED');
      const profile = await client.readResource({ uri: 'context://user-profile' });
      expect(profile.contents[0]?.uri).toBe('context://user-profile');
    } finally {
      await client.close();
    }
  });
});

describe('MCP 2026-07-28 (stateless) across two gateway replicas', () => {
  const rpc = async (replica: number, token: string | undefined, method: string, params = {}) => {
    const base = [stack.gateway.baseUrl, second.baseUrl][replica]!;
    const response = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    expect(response.headers.get('mcp-session-id')).toBeNull(); // no session in this revision
    return (await response.json()) as {
      result?: Record<string, unknown>;
      error?: { code: number; data?: { supported?: string[] } };
    };
  };

  it('discover, then each request on the other replica: no initialize, no session id', async () => {
    const token = await jwt({ sub: 'stella-mcp' });
    const discover = await rpc(0, token, 'server/discover');
    expect(discover.result?.supportedVersions).toEqual([
      '2026-07-28',
      '2025-11-25',
      '2025-06-18',
      '2025-03-26',
    ]);
    const { result: list } = await rpc(1, token, 'tools/list');
    expect((list?.tools as { name: string }[]).map((tool) => tool.name)).toContain('profile_get');
    expect(list).toMatchObject({ resultType: 'complete', ttlMs: 0, cacheScope: 'private' });
    const update = await rpc(0, token, 'tools/call', {
      name: 'profile_update',
      arguments: { display_name: 'stella stateless' },
    });
    expect(update.result?.isError).toBe(false);
    const read = await rpc(1, token, 'resources/read', { uri: 'context://user-profile' });
    expect(JSON.stringify(read.result?.contents)).toContain('stella stateless');
  });

  it('an anonymous client is offered the handshake-era versions only', async () => {
    const discover = await rpc(1, undefined, 'server/discover');
    expect(discover.result?.supportedVersions).toEqual(['2025-11-25', '2025-06-18', '2025-03-26']);
    const list = await rpc(0, undefined, 'tools/list');
    expect(list.error?.code).toBe(-32022);
    expect(list.error?.data?.supported).toEqual(['2025-11-25', '2025-06-18', '2025-03-26']);
  });
});

describe('MCP resource-server behaviour and refusals', () => {
  const initialize = (headers: Record<string, string> = {}) =>
    fetch(`${stack.gateway.baseUrl}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'raw', version: '1' },
        },
      }),
    });

  it('a bad token gets 401 with a resource_metadata challenge; the metadata names the issuer', async () => {
    const answer = await initialize({
      authorization: `Bearer ${await jwt({ sub: 'alice', expiresIn: -120 })}`,
    });
    expect(answer.status).toBe(401);
    const challenge = answer.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain('error="invalid_token"');
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    expect(metadataUrl).toBe(`${stack.gateway.baseUrl}/.well-known/oauth-protected-resource/mcp`);
    const metadata = (await (await fetch(metadataUrl!)).json()) as Record<string, unknown>;
    expect(metadata.resource).toBe(`${stack.gateway.baseUrl}/mcp`);
    expect(metadata.authorization_servers).toEqual(['https://issuer.test']);
  });

  it('a forged or foreign session id is refused', async () => {
    const answer = await initialize({ authorization: `Bearer ${await jwt({ sub: 'alice' })}` });
    expect(answer.status).toBe(200);
    const session = answer.headers.get('mcp-session-id')!;
    const call = (id: string, token: string) =>
      fetch(`${second.baseUrl}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'mcp-session-id': id,
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
      });
    const alice = await jwt({ sub: 'alice' });
    expect((await call(session, alice)).status).toBe(200);
    const [payload, mac] = session.split('.');
    const tampered = `${Buffer.from(
      Buffer.from(payload!, 'base64url')
        .toString()
        .replace(/"m":\d/, '"m":9'),
    ).toString('base64url')}.${mac}`;
    expect((await call(tampered, alice)).status).toBe(404);
    expect((await call(session, await jwt({ sub: 'bob' }))).status).toBe(403);
  });

  it('a request from another site (DNS rebinding) is refused', async () => {
    const answer = await initialize({ origin: 'http://evil.example.com' });
    expect(answer.status).toBe(403);
  });
});
