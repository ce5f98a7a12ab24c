// The agent's Streamable HTTP transport for one MCP session, on node:http directly.
// The SDK's StreamableHTTPServerTransport converts every request to a Web Request through
// @hono/node-server (a new request listener per call), answers every request as an SSE
// stream built from a ReadableStream, and validates each message with zod before the
// protocol layer validates it again: that was most of a cheap tool call's CPU
// (docs/benchmarks.md, "Where a tool call spends its CPU"). Here a POST's requests are
// answered as one JSON body — unless the server sends something about them first (progress),
// in which case that POST's answer becomes an SSE stream from then on. Server messages about
// no request (resources/updated, list_changed) go to the session's GET stream. Status codes
// and error bodies follow the SDK's transport (406, 415, 400, 404, 409, 405).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  Transport,
  TransportSendOptions,
} from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

/** At most this many messages in one POST (the SDK's limit). */
const MAX_BATCH = 100;

/** The answer of one POST that carried requests. */
interface Exchange {
  readonly res: ServerResponse;
  /** Requests of this POST not answered yet. */
  readonly pending: Set<RequestId>;
  /** Answers kept for the JSON body (while not streaming). */
  readonly answers: JSONRPCMessage[];
  readonly batch: boolean;
  /** The answer switched to an SSE stream (something was sent before the results). */
  streaming: boolean;
  done: boolean;
}

export interface McpHttpTransportOptions {
  newSessionId(): string;
  /** Called once initialize has given the session its id (before the answer goes out). */
  onSessionInitialized(id: string): void;
}

export class McpHttpTransport implements Transport {
  sessionId?: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private readonly exchanges = new Map<RequestId, Exchange>();
  private standalone: ServerResponse | undefined;
  private closed = false;

  constructor(private readonly options: McpHttpTransportOptions) {}

  async start(): Promise<void> {}

  /** One HTTP request of this session; a POST's body is already parsed. */
  handle(req: IncomingMessage, res: ServerResponse, body?: unknown): void {
    if (this.closed) return refuse(res, 404, -32001, 'Session not found');
    if (req.method === 'POST') return this.post(req, res, body);
    if (req.method === 'GET') return this.get(req, res);
    if (req.method === 'DELETE') {
      if (!this.validSession(req, res)) return;
      res.writeHead(200).end();
      void this.close();
      return;
    }
    res.setHeader('allow', 'GET, POST, DELETE');
    refuse(res, 405, -32000, 'Method not allowed.');
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const isAnswer = 'id' in message && ('result' in message || 'error' in message);
    const id = isAnswer ? (message as { id: RequestId }).id : options?.relatedRequestId;
    if (id === undefined) {
      if (isAnswer) throw new Error('an answer without a request id cannot be sent');
      if (this.standalone && !this.standalone.writableEnded) writeEvent(this.standalone, message);
      return;
    }
    const exchange = this.exchanges.get(id);
    if (!exchange) {
      if (isAnswer) throw new Error(`no connection for request ${String(id)}`);
      return; // progress for a request whose caller went away
    }
    if (exchange.done) return;
    if (!isAnswer) {
      if (!exchange.streaming) this.startStream(exchange);
      writeEvent(exchange.res, message);
      return;
    }
    exchange.pending.delete(id);
    this.exchanges.delete(id);
    if (exchange.streaming) writeEvent(exchange.res, message);
    else exchange.answers.push(message);
    if (exchange.pending.size === 0) this.finish(exchange);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const exchange of new Set(this.exchanges.values())) {
      exchange.done = true;
      if (!exchange.res.headersSent) refuse(exchange.res, 404, -32001, 'Session closed');
      else exchange.res.end();
    }
    this.exchanges.clear();
    this.standalone?.end();
    this.standalone = undefined;
    this.onclose?.();
  }

  private post(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    const accept = req.headers.accept ?? '';
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
      return refuse(
        res,
        406,
        -32000,
        'Not Acceptable: Client must accept both application/json and text/event-stream',
      );
    }
    if (!isJsonContentType(req.headers['content-type'])) {
      return refuse(
        res,
        415,
        -32000,
        'Unsupported Media Type: Content-Type must be application/json',
      );
    }
    const batch = Array.isArray(body);
    const messages = (batch ? body : [body]) as unknown[];
    if (messages.length > MAX_BATCH) {
      return refuse(
        res,
        400,
        -32600,
        `Invalid Request: Batch must not exceed ${MAX_BATCH} messages`,
      );
    }
    if (messages.length === 0 || !messages.every(isJsonRpcMessage)) {
      return refuse(res, 400, -32700, 'Parse error: Invalid JSON-RPC message');
    }
    const initialize = messages.some((m) => m.method === 'initialize' && 'id' in m);
    if (initialize) {
      if (this.sessionId !== undefined) {
        return refuse(res, 400, -32600, 'Invalid Request: Server already initialized');
      }
      if (messages.length > 1) {
        return refuse(
          res,
          400,
          -32600,
          'Invalid Request: Only one initialization request is allowed',
        );
      }
      this.sessionId = this.options.newSessionId();
      this.options.onSessionInitialized(this.sessionId);
    } else if (!this.validSession(req, res)) {
      return;
    }
    const requests = messages.filter((m) => typeof m.method === 'string' && 'id' in m);
    if (requests.length === 0) {
      res.writeHead(202, this.sessionHeader()).end();
      for (const message of messages) this.onmessage?.(message as JSONRPCMessage);
      return;
    }
    const exchange: Exchange = {
      res,
      pending: new Set(requests.map((m) => m.id as RequestId)),
      answers: [],
      batch,
      streaming: false,
      done: false,
    };
    for (const id of exchange.pending) this.exchanges.set(id, exchange);
    res.once('close', () => {
      if (exchange.done) return;
      // The caller went away: later answers to these requests have nowhere to go.
      exchange.done = true;
      for (const id of exchange.pending) this.exchanges.delete(id);
    });
    for (const message of messages) this.onmessage?.(message as JSONRPCMessage);
  }

  private get(req: IncomingMessage, res: ServerResponse): void {
    if (!(req.headers.accept ?? '').includes('text/event-stream')) {
      return refuse(res, 406, -32000, 'Not Acceptable: Client must accept text/event-stream');
    }
    if (!this.validSession(req, res)) return;
    if (this.standalone && !this.standalone.writableEnded) {
      return refuse(res, 409, -32000, 'Conflict: Only one SSE stream is allowed per session');
    }
    res.writeHead(200, { ...SSE_HEADERS, ...this.sessionHeader() });
    res.flushHeaders();
    this.standalone = res;
    res.once('close', () => {
      if (this.standalone === res) this.standalone = undefined;
    });
  }

  private validSession(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.sessionId === undefined) {
      refuse(res, 400, -32000, 'Bad Request: Server not initialized');
      return false;
    }
    const id = req.headers['mcp-session-id'];
    if (!id) {
      refuse(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
      return false;
    }
    if (id !== this.sessionId) {
      refuse(res, 404, -32001, 'Session not found');
      return false;
    }
    const version = req.headers['mcp-protocol-version'];
    if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      refuse(
        res,
        400,
        -32000,
        `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
      );
      return false;
    }
    return true;
  }

  private sessionHeader(): Record<string, string> {
    return this.sessionId === undefined ? {} : { 'mcp-session-id': this.sessionId };
  }

  private startStream(exchange: Exchange): void {
    exchange.streaming = true;
    exchange.res.writeHead(200, { ...SSE_HEADERS, ...this.sessionHeader() });
    for (const answer of exchange.answers.splice(0)) writeEvent(exchange.res, answer);
  }

  private finish(exchange: Exchange): void {
    exchange.done = true;
    const { res } = exchange;
    if (exchange.streaming) {
      res.end();
      return;
    }
    const text = JSON.stringify(exchange.batch ? exchange.answers : exchange.answers[0]);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...this.sessionHeader(),
    });
    res.end(text);
  }
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
};

function writeEvent(res: ServerResponse, message: JSONRPCMessage): void {
  res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
}

function refuse(res: ServerResponse, status: number, code: number, message: string): void {
  const text = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function isJsonContentType(value: string | undefined): boolean {
  return (value ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}

type Candidate = { jsonrpc?: unknown; method?: unknown; id?: unknown };

/** The shape of a JSON-RPC 2.0 message (the protocol layer validates each kind in full). */
function isJsonRpcMessage(value: unknown): value is Candidate {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const message = value as Candidate & { result?: unknown; error?: unknown };
  if (message.jsonrpc !== '2.0') return false;
  if (typeof message.method === 'string') {
    return !('id' in message) || typeof message.id === 'string' || typeof message.id === 'number';
  }
  return 'id' in message && ('result' in message || 'error' in message);
}
