// A real MCP server standing in for the user's agent: the SDK's Server over Streamable HTTP
// on 127.0.0.1:0, checking the gateway's trust headers the way the agent does
// (docs/architecture.md), with context resources that support subscriptions, a few tools,
// and the internal conversation_append tool. It records what it saw for assertions.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  isInitializeRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { jwtVerify } from 'jose';

export interface AgentFixtureOptions {
  readonly userId: string;
  readonly bindingId: string;
  readonly assertionKey: Uint8Array;
  /** Direct mode: the credential the agent accepts (instead of assertions). */
  readonly credential?: string;
}

export interface AgentFixture {
  readonly url: string;
  readonly seen: {
    initializes: number;
    reads: Map<string, number>;
    subscriptions: Set<string>;
    calls: { name: string; args: unknown }[];
    cancelled: string[];
    refused: string[];
    appended: unknown[];
    assertions: { sub?: string; aud?: unknown; exp?: number; iat?: number }[];
    traceparents: string[];
  };
  /** MCP sessions the agent holds open now. */
  liveSessions(): number;
  /** Changes a resource and notifies subscribed sessions. */
  update(uri: string, text: string): Promise<void>;
  /** Stops answering (closes the listener and every connection), like a dead container. */
  close(): Promise<void>;
}

const internal = { 'warmgate/internal': true };

export async function startAgentFixture(options: AgentFixtureOptions): Promise<AgentFixture> {
  const resources = new Map<string, string>([
    ['context://user-profile', `Profile of ${options.userId}: swing trader, likes tech.`],
    ['context://conversation-summary', 'Talked about AAPL earlier.'],
    ['context://workspace-state', 'Chart: AAPL 1h'],
    ['context://system-prompt', 'Answer briefly.'],
    ['indicators://list', 'rsi_14'],
    ['strategies://list', 'golden_cross'],
  ]);
  const seen: AgentFixture['seen'] = {
    initializes: 0,
    reads: new Map(),
    subscriptions: new Set(),
    calls: [],
    cancelled: [],
    refused: [],
    appended: [],
    assertions: [],
    traceparents: [],
  };
  const sessions = new Map<string, { server: Server; transport: StreamableHTTPServerTransport }>();

  function mcpServer(): Server {
    const server = new Server(
      { name: 'fixture-agent', version: '0.0.0' },
      { capabilities: { tools: { listChanged: true }, resources: { subscribe: true } } },
    );
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: [
        tool('note_read', true, 'Reads a note.'),
        tool('note_write', false, 'Writes a note.'),
        tool('market_quote', true, 'A user tool that clashes with a platform tool.'),
        tool('slow', true, 'Waits until cancelled.'),
        { ...tool('conversation_append', false, 'Internal.'), _meta: internal },
      ],
    }));
    server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const { name, arguments: args } = request.params;
      seen.calls.push({ name, args });
      if (name === 'conversation_append') {
        seen.appended.push(args);
        return { content: [{ type: 'text', text: 'saved' }] };
      }
      if (name === 'slow') {
        extra.signal.addEventListener('abort', () => seen.cancelled.push(name));
        await sleep(30_000, undefined, { signal: extra.signal }).catch(() => {});
        return { content: [{ type: 'text', text: 'too late' }] };
      }
      if (name === 'note_write') {
        return { content: [{ type: 'text', text: 'disk full' }], isError: true };
      }
      return {
        content: [{ type: 'text', text: `${name} for ${options.userId}: ${JSON.stringify(args)}` }],
        structuredContent: { user: options.userId, args },
      };
    });
    server.setRequestHandler(ListResourcesRequestSchema, async () => ({
      resources: [...resources.keys()].map((uri) => ({ uri, name: uri })),
    }));
    server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
      const { uri } = request.params;
      seen.reads.set(uri, (seen.reads.get(uri) ?? 0) + 1);
      const text = resources.get(uri);
      if (text === undefined) throw new McpError(-32602, `Resource ${uri} not found`);
      return { contents: [{ uri, mimeType: 'text/plain', text }] };
    });
    server.setRequestHandler(SubscribeRequestSchema, async (request) => {
      seen.subscriptions.add(request.params.uri);
      return {};
    });
    return server;
  }

  async function trusted(req: IncomingMessage): Promise<boolean> {
    if (options.credential !== undefined) {
      return req.headers['x-warmgate-credential'] === options.credential;
    }
    const token = req.headers['x-warmgate-assertion'];
    if (typeof token !== 'string') return false;
    try {
      const { payload } = await jwtVerify(token, options.assertionKey, {
        algorithms: ['HS256'],
        audience: options.bindingId,
        subject: options.userId,
        maxTokenAge: '5m',
      });
      seen.assertions.push(payload);
      return true;
    } catch {
      return false;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const traceparent = req.headers.traceparent;
    if (typeof traceparent === 'string') seen.traceparents.push(traceparent);
    if (!(await trusted(req))) {
      seen.refused.push(
        String(req.headers['x-warmgate-assertion'] ?? req.headers['x-warmgate-credential'] ?? ''),
      );
      res.writeHead(401).end('refused');
      return;
    }
    const sessionId = req.headers['mcp-session-id'];
    let body: unknown;
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    }
    const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (existing) return existing.transport.handleRequest(req, res, body);
    if (req.method === 'POST' && isInitializeRequest(body)) {
      seen.initializes++;
      const server = mcpServer();
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void sessions.set(id, { server, transport }),
      });
      transport.onclose = () => transport.sessionId && sessions.delete(transport.sessionId);
      await server.connect(transport);
      return transport.handleRequest(req, res, body);
    }
    res.writeHead(404).end('no such session');
  }

  const http = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/mcp`,
    seen,
    liveSessions: () => sessions.size,
    async update(uri, text) {
      resources.set(uri, text);
      await Promise.all(
        [...sessions.values()].map(({ server }) => server.sendResourceUpdated({ uri })),
      );
    },
    async close() {
      await Promise.all([...sessions.values()].map(({ server }) => server.close().catch(() => {})));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function tool(name: string, readOnly: boolean, description: string) {
  return {
    name,
    description,
    inputSchema: { type: 'object' as const, properties: {} },
    annotations: { readOnlyHint: readOnly, destructiveHint: !readOnly },
  };
}
