// MCP 2026-07-28, the stateless revision: no initialize, no session id; every request carries
// `MCP-Protocol-Version: 2026-07-28` (and its bearer token), so any replica serves it and
// nothing is kept between requests. A client finds out with `server/discover`.
//
// Which revision a client gets is decided per client, as the spec has it, by what discover
// advertises: a client with a token is offered 2026-07-28 and the handshake-era versions; an
// anonymous one only the handshake-era versions, so it falls back to initialize and gets a
// 2025-11-25 session. An anonymous principal is new on every authentication, so stateless
// anonymous requests would each bind an agent of their own; the session keeps one.
import { createHash } from 'node:crypto';
import { ErrorCode, WarmgateError } from '@warmgate/proto';
import type { SessionCore } from '../../core/session/session-core.js';
import { errorBody, json, rpcError } from './json-rpc-answers.js';
import type { JsonRpcMessage, McpRequest, McpResponse } from './mcp-endpoint.js';
import { JsonRpcCode, jsonRpcErrorFor } from './mcp-error-mapping.js';
import {
  serverCapabilities,
  serverInstructions,
  type createMcpMethods,
  type Params,
} from './mcp-methods.js';

export const statelessVersion = '2026-07-28';
/** The spec's error for a protocol version the server does not speak to this client. */
const unsupportedProtocolVersion = -32022;

export interface StatelessRequest {
  readonly core: SessionCore;
  readonly methods: ReturnType<typeof createMcpMethods>;
  readonly refuse: (request: McpRequest, error: WarmgateError) => McpResponse;
  readonly request: McpRequest;
  readonly message: JsonRpcMessage;
  readonly isRequest: boolean;
  readonly token: string | undefined;
  readonly handshakeVersions: readonly string[];
  readonly signal: AbortSignal;
}

export async function serveStateless(r: StatelessRequest): Promise<McpResponse> {
  const { message, token } = r;
  if (!r.isRequest) return { status: '202 Accepted', headers: {}, body: '' };
  const id = message.id!;
  const offered =
    token === undefined ? r.handshakeVersions : [statelessVersion, ...r.handshakeVersions];
  if (message.method === 'server/discover' && token === undefined) {
    return json({ jsonrpc: '2.0', id, result: discoverResult(offered) });
  }
  if (token === undefined) {
    return json(
      errorBody(id, {
        code: unsupportedProtocolVersion,
        message: `${statelessVersion} needs a bearer token here; anonymous clients initialize (${r.handshakeVersions[0]})`,
        data: { supported: offered },
      }),
    );
  }
  let principal;
  try {
    principal = await r.core.authenticate(token);
  } catch (error) {
    return r.refuse(r.request, WarmgateError.from(error));
  }
  // One stable id per credential: the upstream keeps one MCP session per direct-mode
  // credential instead of one per request.
  const sessionId = `mcp-${createHash('sha256').update(token).digest('base64url').slice(0, 22)}`;
  principal = { ...principal, sessionId };
  if (message.method === 'server/discover') {
    return json({ jsonrpc: '2.0', id, result: discoverResult(offered) });
  }
  const method = r.methods.get(message.method!);
  if (!method) {
    return json(
      errorBody(id, {
        code: JsonRpcCode.methodNotFound,
        message: `method not found: ${message.method}`,
      }),
    );
  }
  const params = message.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    return rpcError('200 OK', id, JsonRpcCode.invalidParams, 'params must be an object');
  }
  try {
    const result = await method(principal, params as Params, r.signal);
    const cache = cacheable.has(message.method!) ? privateNoCache : {};
    return json({ jsonrpc: '2.0', id, result: { ...result, ...cache, resultType: 'complete' } });
  } catch (error) {
    const failure = WarmgateError.from(error);
    if (failure.code === ErrorCode.UNAUTHENTICATED) return r.refuse(r.request, failure);
    return json(errorBody(id, jsonRpcErrorFor(failure, message.method!)));
  }
}

/** Results 2026-07-28 lets clients cache: required to say for how long, and for whom. */
const cacheable = new Set([
  'tools/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'prompts/list',
]);
// Per user and changing with every write: never shared, never reused.
const privateNoCache = { ttlMs: 0, cacheScope: 'private' };

function discoverResult(supportedVersions: readonly string[]) {
  return {
    ...privateNoCache,
    supportedVersions,
    capabilities: serverCapabilities,
    instructions: serverInstructions,
    resultType: 'complete',
  };
}
