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
import { errors, WarmgateError } from '@warmgate/proto';
import type { Principal } from '../../core/ports.js';
import type { SessionCore } from '../../core/session/session-core.js';
import { errorBody, json } from './json-rpc-answers.js';
import type { InFlight } from './in-flight.js';
import type { JsonRpcMessage, McpRequest, McpResponse } from './mcp-endpoint.js';
import { JsonRpcCode, jsonRpcErrorFor } from './mcp-error-mapping.js';
import {
  serverCapabilities,
  serverInstructions,
  sessionOnlyMethods,
  type createMcpMethods,
} from './mcp-methods.js';
import { listenUris, serveListen, type ListenParams } from './notification-streams.js';
import { dispatchRequest } from './request-dispatch.js';

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
  readonly inFlight: InFlight;
  /** Open subscriptions/listen streams (notification-streams.ts). */
  readonly streams: InFlight;
  /** notifications/cancelled of this principal (the endpoint's, as for sessions). */
  readonly cancel: (principal: Principal, message: JsonRpcMessage) => Promise<void>;
}

export async function serveStateless(r: StatelessRequest): Promise<McpResponse> {
  const { message, token } = r;
  if (!r.isRequest) {
    if (message.method === 'notifications/cancelled' && token !== undefined) {
      const principal = await statelessPrincipal(r.core, token).catch(() => undefined);
      if (principal) await r.cancel(principal, message);
    }
    return { status: '202 Accepted', headers: {}, body: '' };
  }
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
  let principal: Principal;
  try {
    principal = await statelessPrincipal(r.core, token);
  } catch (error) {
    return r.refuse(r.request, WarmgateError.from(error));
  }
  if (message.method === 'server/discover') {
    return json({ jsonrpc: '2.0', id, result: discoverResult(offered) });
  }
  if (message.method === 'subscriptions/listen') return listen(r, principal, id);
  if (sessionOnlyMethods.has(message.method!)) {
    return json(
      errorBody(id, {
        code: JsonRpcCode.methodNotFound,
        message: `${message.method} is not part of ${statelessVersion}: use subscriptions/listen`,
      }),
    );
  }
  return dispatchRequest({
    methods: r.methods,
    inFlight: r.inFlight,
    refuse: r.refuse,
    request: r.request,
    message,
    principal,
    signal: r.signal,
    shape: (method, result) => ({
      ...result,
      ...(cacheable.has(method) ? privateNoCache : {}),
      resultType: 'complete',
    }),
  });
}

async function listen(
  r: StatelessRequest,
  principal: Principal,
  id: string | number,
): Promise<McpResponse> {
  const uris = listenUris((r.message.params ?? {}) as ListenParams);
  try {
    if (!uris) {
      throw errors.invalidArgument(
        'params.notifications.resourceSubscriptions must be an array of URIs',
      );
    }
    return await serveListen(r.core, r.streams, principal, id, uris, r.signal);
  } catch (error) {
    const failure = WarmgateError.from(error);
    return json(errorBody(id, jsonRpcErrorFor(failure, 'subscriptions/listen')));
  }
}

/**
 * One stable session id per credential: the upstream keeps one MCP session per direct-mode
 * credential instead of one per request, and the in-flight limit and cancellation by request
 * id apply per credential.
 */
async function statelessPrincipal(core: SessionCore, token: string): Promise<Principal> {
  const principal = await core.authenticate(token);
  const sessionId = `mcp-${createHash('sha256').update(token).digest('base64url').slice(0, 22)}`;
  return { ...principal, sessionId };
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
