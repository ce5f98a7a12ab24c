// The agent's own Streamable HTTP transport (agent/src/server/mcp-http-transport.ts) with the
// official MCP client and raw HTTP: JSON answers for plain calls, an SSE answer once the
// server sends progress, server notifications on the GET stream, and the SDK transport's
// refusals (406, 415, 400, 404, 409, 405).
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readJsonBody } from '../src/server/http-util.js';
import { McpHttpTransport } from '../src/server/mcp-http-transport.js';

let server: Server;
let url: URL;
const servers: McpServer[] = [];

beforeAll(async () => {
  const sessions = new Map<string, McpHttpTransport>();
  server = createServer((req, res) => {
    void (async () => {
      const body = req.method === 'POST' ? await readJsonBody(req, 1 << 20) : undefined;
      const id = req.headers['mcp-session-id'];
      const known = typeof id === 'string' ? sessions.get(id) : undefined;
      if (known) return known.handle(req, res, body);
      if (typeof id === 'string') {
        res.writeHead(404).end();
        return;
      }
      const mcp = new McpServer(
        { name: 'transport-test', version: '1' },
        { capabilities: { resources: { subscribe: true } } },
      );
      servers.push(mcp);
      mcp.registerTool('echo', { inputSchema: z.object({ text: z.string() }) }, async (args) => ({
        content: [{ type: 'text', text: args.text }],
      }));
      mcp.registerTool('slow', { inputSchema: z.object({}) }, async (_args, extra) => {
        const token = extra._meta?.progressToken;
        if (token !== undefined) {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress: 1, total: 2, message: 'half' },
          });
        }
        await mcp.server.sendResourceUpdated({ uri: 'test://changed' });
        return { content: [{ type: 'text', text: 'done' }] };
      });
      const transport = new McpHttpTransport({
        newSessionId: () => randomUUID(),
        onSessionInitialized: (sid) => void sessions.set(sid, transport),
      });
      transport.onclose = () => sessions.delete(transport.sessionId ?? '');
      await mcp.connect(transport);
      transport.handle(req, res, body);
    })().catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A client whose fetch records each answer's content type. */
async function connect(seen: string[] = []) {
  const client = new Client({ name: 'transport-test', version: '1' });
  const transport = new StreamableHTTPClientTransport(url, {
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      if (init?.method === 'POST') seen.push(response.headers.get('content-type') ?? '');
      return response;
    },
  });
  await client.connect(transport);
  return { client, transport };
}

describe('the agent MCP transport', () => {
  it('answers a plain call as one JSON body, with the session id', async () => {
    const seen: string[] = [];
    const { client } = await connect(seen);
    const result = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    expect(result.content).toEqual([{ type: 'text', text: 'hi' }]);
    expect(seen.at(-1)).toBe('application/json');
    const invalid = await client.callTool({ name: 'echo', arguments: { text: 7 } });
    expect(invalid.isError).toBe(true);
    await client.close();
  });

  it('switches a call to SSE once progress is sent; other notifications go to the GET stream', async () => {
    const seen: string[] = [];
    const { client } = await connect(seen);
    const updated: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updated.push(n.params.uri);
    });
    // The GET stream the client opens after initialize must be there before the update.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const progress: number[] = [];
    const result = await client.callTool({ name: 'slow', arguments: {} }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(result.content).toEqual([{ type: 'text', text: 'done' }]);
    expect(progress).toEqual([1]);
    expect(seen.at(-1)).toBe('text/event-stream');
    await expect.poll(() => updated).toEqual(['test://changed']);
    await client.close();
  });

  it("refuses what the SDK's transport refuses", async () => {
    const { client, transport } = await connect();
    const session = transport.sessionId!;
    const base = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': session,
    };
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' });
    const post = (headers: Record<string, string>, body = ping) =>
      fetch(url, { method: 'POST', headers, body });
    expect((await post({ ...base, accept: 'application/json' })).status).toBe(406);
    expect((await post({ ...base, 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post({ ...base, 'mcp-protocol-version': '1999-01-01' })).status).toBe(400);
    expect((await post(base, JSON.stringify({ hello: 1 }))).status).toBe(400);
    const init = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'x', version: '1' },
      },
    });
    expect((await post(base, init)).status).toBe(400); // already initialized
    const pong = await post(base);
    expect(pong.status).toBe(200);
    expect(await pong.json()).toEqual({ jsonrpc: '2.0', id: 9, result: {} });
    const notified = await post(
      base,
      JSON.stringify({ jsonrpc: '2.0', method: 'notifications/x' }),
    );
    expect(notified.status).toBe(202);
    const stream = await fetch(url, { headers: { ...base, accept: 'text/event-stream' } });
    expect(stream.status).toBe(409); // the client holds the session's one GET stream
    await stream.body?.cancel();
    expect((await fetch(url, { method: 'PUT', headers: base })).status).toBe(405);
    expect((await fetch(url, { method: 'DELETE', headers: base })).status).toBe(200);
    expect((await post(base)).status).toBe(404);
    await client.close();
  });
});
