// MCP over Streamable HTTP, stateful: one transport and one McpServer per session id. Every
// request is first checked against the agent's state (bound?) and the binding's auth mode;
// refusals are JSON-RPC error bodies with an HTTP status the gateway understands. The
// transport is the agent's own (mcp-http-transport.ts): JSON answers on node:http.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WarmgateError, errors } from '@warmgate/proto';
import { authorize } from '../auth/authorize.js';
import type { DirectVerifier } from '@warmgate/contract/direct-credential';
import { createMcpServer, prepareToolListings, type SessionServer } from '../mcp/create-server.js';
import { httpStatusOf, jsonRpcErrorBody } from '../mcp/errors.js';
import type { AgentCore } from './agent-core.js';
import { header, readJsonBody, sendJson } from './http-util.js';
import { McpHttpTransport } from './mcp-http-transport.js';

/** 10,000 candles as JSON fit comfortably. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_SESSIONS = 64;

interface Session extends SessionServer {
  transport: McpHttpTransport;
}

export interface McpHttp {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** MCP sessions open now (the control API reports it, so leaks upstream can be seen). */
  count(): number;
  close(): Promise<void>;
}

/**
 * `direct`: the agent checks each request's assertion or credential itself; `null`: it sits
 * behind the sidecar's data plane (role `mcp`), which checked it and stripped the headers.
 */
export function createMcpHttp(core: AgentCore, direct: DirectVerifier | null): McpHttp {
  const sessions = new Map<string, Session>();
  // Loaded while warm (or at bind): the tool listings are ready before the first session.
  setImmediate(() => void prepareToolListings(core).catch(() => undefined));

  async function open(req: IncomingMessage, res: ServerResponse, body: unknown) {
    if (sessions.size >= MAX_SESSIONS) {
      // The oldest session goes: a gateway that lost track of its sessions cannot pile up.
      const [oldest] = sessions.values();
      await oldest?.transport.close();
    }
    const context = { core, serving: core.current() };
    const session = createMcpServer(context) as Session;
    session.transport = new McpHttpTransport({
      newSessionId: () => randomUUID(),
      onSessionInitialized: (id) => void sessions.set(id, session),
    });
    session.transport.onclose = () => {
      const id = session.transport.sessionId;
      if (id) sessions.delete(id);
      session.dispose();
    };
    await session.server.connect(session.transport);
    session.transport.handle(req, res, body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const serving = core.current();
      if (direct) await authorize((name) => header(req, name), serving.binding, direct);
      core.touch();
      const sessionId = header(req, 'mcp-session-id');
      if (sessionId) {
        const session = sessions.get(sessionId);
        if (!session) throw errors.notFound(`unknown MCP session ${sessionId.slice(0, 64)}`);
        const body = req.method === 'POST' ? await readJsonBody(req, MAX_BODY_BYTES) : undefined;
        session.transport.handle(req, res, body);
        return;
      }
      if (req.method !== 'POST') throw errors.invalidArgument('no mcp-session-id header');
      const body = await readJsonBody(req, MAX_BODY_BYTES);
      if (!isInitialize(body)) {
        throw errors.invalidArgument('no mcp-session-id header and not an initialize request');
      }
      await open(req, res, body);
    } catch (error) {
      refuse(res, error);
    }
  }

  return {
    handle,
    count: () => sessions.size,
    async close() {
      await Promise.all([...sessions.values()].map((session) => session.transport.close()));
      sessions.clear();
    },
  };
}

function isInitialize(body: unknown): boolean {
  const message = body as { method?: unknown; id?: unknown } | null;
  return typeof message === 'object' && message?.method === 'initialize' && 'id' in message;
}

function refuse(res: ServerResponse, reason: unknown): void {
  const error = WarmgateError.from(reason);
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, httpStatusOf(error.code), jsonRpcErrorBody(error));
}
