// MCP Streamable HTTP (revision 2025-11-25, also 2025-06-18 and 2025-03-26) over the session
// core, independent of the HTTP server: a request in, a response out. Every request is served
// from what it carries — the signed session id (session-id.ts) and the bearer token — so any
// replica serves any request of a session; nothing is kept between requests.
//
// Written here rather than with the SDK's StreamableHTTPServerTransport: that transport keeps
// each session in the memory of the process that initialised it (a second replica answers
// "Session not found") and speaks Node http or web Request/Response, not uWebSockets.js.
// Answers are single JSON bodies (the spec lets the server choose JSON over SSE per request),
// except streams: a request whose client asked for progress, the GET notification stream and
// 2026-07-28 subscriptions/listen (notification-streams.ts).
import { AuthMode, ErrorCode, errors, WarmgateError } from '@warmgate/proto';
import type { Principal } from '../../core/ports.js';
import type { SessionCore } from '../../core/session/session-core.js';
import { gatewayMetrics } from '../../telemetry/metrics.js';
import { httpStatusFor, JsonRpcCode, jsonRpcErrorFor } from './mcp-error-mapping.js';
import {
  createMcpMethods,
  serverCapabilities,
  serverInstructions,
  type Params,
} from './mcp-methods.js';
import { checkHost, wwwAuthenticate, type McpHttpConfig } from './protected-resource.js';
import { createInFlight } from './in-flight.js';
import { json, plain, rpcError } from './json-rpc-answers.js';
import { callNameOf } from './in-flight.js';
import { createStreamSlots, serveSessionStream } from './notification-streams.js';
import { dispatchRequest } from './request-dispatch.js';
import { acceptsEventStream } from './sse.js';
import { serveStateless, statelessVersion } from './stateless-revision.js';
import { createSessionIds, userHash, type McpSessionClaims } from './session-id.js';

export const defaultMaxInFlight = 16;
const cancelForwardWaitMs = 5_000;
export const supportedVersions = ['2025-11-25', '2025-06-18', '2025-03-26'] as const;
const latestVersion = supportedVersions[0];

export interface McpRequest {
  readonly method: string;
  /** Lower-case header name → value ('' when absent). */
  readonly header: (name: string) => string;
  readonly body: string;
}

export interface McpResponse {
  readonly status: string;
  readonly headers: Readonly<Record<string, string>>;
  /** One body, or Server-Sent Events written as they come (sse.ts). */
  readonly body: string | AsyncIterable<string>;
  /** A notification stream: ended when the replica drains, so the client reconnects elsewhere. */
  readonly endsOnDrain?: boolean;
}

export interface McpEndpointOptions {
  readonly core: SessionCore;
  readonly config: McpHttpConfig & {
    readonly sessionTtlMs: number;
    /** Requests one session may have running on this replica (default 16). */
    readonly maxInFlight?: number;
  };
  /** HMAC key of the session ids (shared by every replica). */
  readonly sessionSecret: string | Buffer;
  readonly serverVersion?: string;
  readonly now?: () => number;
}

export type McpEndpoint = (request: McpRequest, signal: AbortSignal) => Promise<McpResponse>;

export interface JsonRpcMessage {
  readonly id?: string | number | null;
  readonly method?: string;
  readonly params?: unknown;
}

const knownKinds = new Set(['initialize', 'ping', 'tools/list', 'tools/call', 'resources/list']);

export function createMcpEndpoint(options: McpEndpointOptions): McpEndpoint {
  const { core, config } = options;
  const now = options.now ?? Date.now;
  const ids = createSessionIds(options.sessionSecret, now);
  const methods = createMcpMethods(core);
  const inFlight = createInFlight(config.maxInFlight ?? defaultMaxInFlight);
  const streams = createStreamSlots();

  const refuse = (request: McpRequest, error: WarmgateError): McpResponse => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (error.code === ErrorCode.UNAUTHENTICATED) {
      headers['WWW-Authenticate'] = wwwAuthenticate(
        config,
        request.header,
        error,
        bearerOf(request),
      );
    }
    const body = { jsonrpc: '2.0', id: null, error: jsonRpcErrorFor(error, '') };
    return { status: httpStatusFor(error.code), headers, body: JSON.stringify(body) };
  };

  /** The principal of a request inside a session, checked against the session's owner. */
  const principalIn = async (claims: McpSessionClaims, token: string | undefined) => {
    if (claims.mode === AuthMode.PUBLIC) {
      if (token !== undefined) {
        throw errors.permissionDenied(
          'this MCP session is public: initialize again with the token',
        );
      }
      return {
        sessionId: claims.sid,
        userId: claims.publicUser ?? `public-${claims.sid}`,
        tier: claims.tier,
        mode: AuthMode.PUBLIC,
        expiresAt: claims.expiresAt,
      } satisfies Principal;
    }
    if (token === undefined)
      throw errors.unauthenticated('this MCP session needs its bearer token');
    const principal = await core.authenticate(token);
    if (principal.mode !== claims.mode || userHash(principal.userId) !== claims.userHash) {
      throw errors.permissionDenied('the token belongs to another user than this MCP session');
    }
    return { ...principal, sessionId: claims.sid };
  };

  const initialize = async (message: JsonRpcMessage, token: string | undefined) => {
    const params = (message.params ?? {}) as Params;
    if (typeof params.protocolVersion !== 'string') {
      throw errors.invalidArgument('params.protocolVersion must be a string');
    }
    const version = (supportedVersions as readonly string[]).includes(params.protocolVersion)
      ? params.protocolVersion
      : latestVersion;
    const principal = await core.authenticate(token);
    const isPublic = principal.mode === AuthMode.PUBLIC;
    const sessionId = ids.mint({
      sid: principal.sessionId,
      version,
      mode: principal.mode,
      publicUser: isPublic ? principal.userId : undefined,
      userHash: isPublic ? undefined : userHash(principal.userId),
      tier: principal.tier,
      expiresAt: isPublic
        ? (principal.expiresAt ?? now() + config.sessionTtlMs)
        : now() + config.sessionTtlMs,
    });
    const result = {
      protocolVersion: version,
      capabilities: serverCapabilities,
      serverInfo: { name: 'warmgate', version: options.serverVersion ?? '0.1.0' },
      instructions: serverInstructions,
    };
    return { sessionId, result };
  };

  return async (request, signal) => {
    const hostProblem = checkHost(config, request.header);
    if (hostProblem) return refuse(request, errors.permissionDenied(hostProblem));
    const token = bearerOf(request);
    const sessionHeader = request.header('mcp-session-id');
    const claims = sessionHeader === '' ? undefined : ids.open(sessionHeader);
    if (request.method === 'GET') {
      return serveGet(request, claims, token, signal);
    }
    if (request.method === 'DELETE') {
      if (!claims) return refuse(request, errors.notFound('unknown or expired MCP session'));
      try {
        core.endSession(await principalIn(claims, token));
      } catch (error) {
        return refuse(request, WarmgateError.from(error));
      }
      return { status: '204 No Content', headers: {}, body: '' };
    }
    if (request.method !== 'POST') {
      return {
        status: '405 Method Not Allowed',
        headers: { Allow: 'GET, POST, DELETE' },
        body: '',
      };
    }
    if (!request.header('content-type').toLowerCase().includes('application/json')) {
      return plain('415 Unsupported Media Type', 'Content-Type must be application/json\n');
    }
    let message: JsonRpcMessage;
    try {
      message = JSON.parse(request.body) as JsonRpcMessage;
    } catch {
      return rpcError('400 Bad Request', null, JsonRpcCode.parseError, 'parse error: not JSON');
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      return rpcError(
        '400 Bad Request',
        null,
        JsonRpcCode.invalidRequest,
        'one JSON-RPC message per request; batches are not supported',
      );
    }
    const isRequest =
      typeof message.method === 'string' && message.id !== undefined && message.id !== null;
    gatewayMetrics().messages.add(1, {
      transport: 'mcp',
      kind: isRequest && knownKinds.has(message.method!) ? message.method! : 'other',
    });
    const eraHeader = request.header('mcp-protocol-version');
    if (eraHeader === statelessVersion || message.method === 'server/discover') {
      return serveStateless({
        core,
        methods,
        refuse,
        request,
        message,
        isRequest,
        token,
        signal,
        inFlight,
        streams,
        cancel,
        handshakeVersions: supportedVersions,
      });
    }
    if (isRequest && message.method === 'initialize') {
      try {
        const { sessionId, result } = await initialize(message, token);
        return json({ jsonrpc: '2.0', id: message.id, result }, { 'Mcp-Session-Id': sessionId });
      } catch (error) {
        const failure = WarmgateError.from(error);
        if (isRefusal(failure)) return refuse(request, failure);
        return json({
          jsonrpc: '2.0',
          id: message.id,
          error: jsonRpcErrorFor(failure, 'initialize'),
        });
      }
    }
    if (sessionHeader === '') {
      return rpcError(
        '400 Bad Request',
        message.id ?? null,
        JsonRpcCode.invalidRequest,
        'Mcp-Session-Id header is required (initialize first)',
      );
    }
    if (!claims)
      return refuse(request, errors.notFound('unknown or expired MCP session: initialize again'));
    // The SDK's own server (and clients that hard-code an older header) accept any supported
    // version here, not only the negotiated one; refusing others is what the spec asks.
    const version = request.header('mcp-protocol-version');
    if (version !== '' && !(supportedVersions as readonly string[]).includes(version)) {
      return rpcError(
        '400 Bad Request',
        message.id ?? null,
        JsonRpcCode.invalidRequest,
        `unsupported MCP-Protocol-Version ${version} (supported: ${supportedVersions.join(', ')})`,
      );
    }
    let principal: Principal;
    try {
      principal = await principalIn(claims, token);
    } catch (error) {
      return refuse(request, WarmgateError.from(error));
    }
    // Notifications (initialized, cancelled, ...) and responses need no answer.
    if (!isRequest) {
      if (message.method === 'notifications/cancelled') await cancel(principal, message);
      return { status: '202 Accepted', headers: {}, body: '' };
    }
    return dispatchRequest({ methods, inFlight, refuse, request, message, principal, signal });
  };

  /**
   * Aborts the request if it runs here; otherwise asks the agent to cancel the call of that
   * name, which reaches it whichever replica runs it (best effort: a platform tool running on
   * another replica, or a call that already finished, is not cancelled).
   */
  async function cancel(principal: Principal, message: JsonRpcMessage) {
    const params = (message.params ?? {}) as Params;
    const requestId = params.requestId;
    if (typeof requestId !== 'string' && typeof requestId !== 'number') return;
    const reason = (
      typeof params.reason === 'string' ? params.reason : 'cancelled by the client'
    ).slice(0, 200);
    if (inFlight.cancel(principal.sessionId, requestId, reason)) return;
    const name = callNameOf(principal.sessionId, requestId);
    if (!name) return;
    // Answered once the agent has it (so the client's next request cannot overtake it), but
    // never held long for an agent that is slow to take it.
    await Promise.race([
      core.cancelCall(principal, name, reason).catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, cancelForwardWaitMs).unref()),
    ]);
  }

  /** The session's server-to-client stream (2025-11-25 and older; 2026-07-28 has listen). */
  async function serveGet(
    request: McpRequest,
    claims: McpSessionClaims | undefined,
    token: string | undefined,
    signal: AbortSignal,
  ): Promise<McpResponse> {
    if (request.header('mcp-protocol-version') === statelessVersion) {
      return { status: '405 Method Not Allowed', headers: { Allow: 'POST' }, body: '' };
    }
    if (!acceptsEventStream(request.header('accept'))) {
      return plain('406 Not Acceptable', 'Accept must include text/event-stream\n');
    }
    if (request.header('mcp-session-id') === '') {
      return plain('400 Bad Request', 'Mcp-Session-Id header is required (initialize first)\n');
    }
    if (!claims) return refuse(request, errors.notFound('unknown or expired MCP session'));
    try {
      const principal = await principalIn(claims, token);
      // An open stream holds the session's container for as long as the client keeps it
      // open (and a client re-opens a dropped one). Anonymous sessions share a small capped
      // public profile, so they get no stream — MCP lets a server answer its GET with 405 —
      // and their container goes back on DELETE or when the session goes quiet.
      if (principal.mode === AuthMode.PUBLIC) {
        return {
          status: '405 Method Not Allowed',
          headers: { Allow: 'POST, DELETE' },
          body: 'anonymous sessions have no notification stream: sign in for one\n',
        };
      }
      return await serveSessionStream(core, streams, principal, signal);
    } catch (error) {
      const failure = WarmgateError.from(error);
      if (isRefusal(failure) || failure.code === ErrorCode.NOT_FOUND) {
        return refuse(request, failure);
      }
      return plain(httpStatusFor(failure.code), `${failure.message}\n`);
    }
  }
}

/** Authentication refusals are HTTP statuses, so clients start their OAuth flow. */
function isRefusal(error: WarmgateError): boolean {
  const code = error.code;
  return code === ErrorCode.UNAUTHENTICATED || code === ErrorCode.PERMISSION_DENIED;
}

function bearerOf(request: McpRequest): string | undefined {
  const header = request.header('authorization');
  if (header === '') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : 'malformed authorization header';
}
