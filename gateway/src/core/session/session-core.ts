// The Gateway API, transport-agnostic: every transport (WebSocket, gRPC, in-memory) is a thin
// adapter over this object. It speaks proto messages and WarmgateErrors, and reaches the
// outside world only through the ports.
import { create } from '@bufbuild/protobuf';
import { AuthMode, errors, gatewayv1 } from '@warmgate/proto';
import type {
  AgentConnector,
  AgentHandle,
  Authenticator,
  CallOptions,
  ListenRequest,
  Listening,
  PlatformTools,
  Principal,
  TurnRunner,
} from '../ports.js';
import { chatStream } from './chat-stream.js';
import {
  checkArguments,
  checkListenUris,
  checkToolName,
  checkUri,
  defaultLimits,
  type SessionLimits,
} from './limits.js';
import { createToolCatalog, type ToolCatalog } from '../tools/index.js';
import { toProtoTool } from './tool-message.js';
import { verifiedPrincipal } from './verified-principal.js';

export interface SessionCore {
  authenticate(token: string | undefined): Promise<Principal>;
  chat(
    principal: Principal,
    requests: AsyncIterable<gatewayv1.ChatRequest>,
    signal: AbortSignal,
  ): AsyncIterable<gatewayv1.ChatResponse>;
  callTool(
    principal: Principal,
    request: gatewayv1.CallToolRequest,
    signal: AbortSignal,
    extra?: ToolCallExtra,
  ): Promise<gatewayv1.CallToolResponse>;
  listTools(principal: Principal, signal: AbortSignal): Promise<gatewayv1.ListToolsResponse>;
  readResource(
    principal: Principal,
    request: gatewayv1.ReadResourceRequest,
    signal: AbortSignal,
  ): Promise<gatewayv1.ReadResourceResponse>;
  /** The client's session ended (socket closed): lets the connector drop per-session state. */
  endSession(principal: Principal): void;
  /**
   * The principal as admission counts it: in direct mode, bound (the pool manager verifies the
   * credential before it acquires) and carrying the verified tier; any other principal as is.
   */
  admissionPrincipal?(principal: Principal, signal: AbortSignal): Promise<Principal>;
  /** Subscribes `subscriber` (a client session) to a resource's updates at the user's agent. */
  subscribe(
    principal: Principal,
    uri: string,
    subscriber: string,
    signal: AbortSignal,
  ): Promise<void>;
  unsubscribe(
    principal: Principal,
    uri: string,
    subscriber: string,
    signal: AbortSignal,
  ): Promise<void>;
  /** Opens a channel of resource updates from the user's agent (see AgentHandle.listen). */
  listen(
    principal: Principal,
    request: ListenRequest,
    onUpdated: (uri: string) => void,
    signal: AbortSignal,
  ): Promise<Listening>;
  /** Asks the user's agent to cancel the tool call named `callName` (see CallOptions). */
  cancelCall(principal: Principal, callName: string, reason: string): Promise<void>;
}

/** What a transport may add to a tool call: progress wanted, and its name for cancelling. */
export type ToolCallExtra = Pick<CallOptions, 'onProgress' | 'callName'>;

export interface SessionCoreDeps {
  readonly authenticator: Authenticator;
  readonly agents: AgentConnector;
  readonly platform: PlatformTools;
  readonly turns: TurnRunner;
  /** The tool catalog shared with the turn runner (default: one over `platform`). */
  readonly catalog?: ToolCatalog;
  readonly limits?: Partial<SessionLimits>;
  readonly now?: () => number;
  readonly newId?: () => string;
}

export function createSessionCore(deps: SessionCoreDeps): SessionCore {
  const limits: SessionLimits = { ...defaultLimits, ...deps.limits };
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? (() => crypto.randomUUID());
  const live = (principal: Principal) => {
    if (principal.expiresAt !== undefined && now() >= principal.expiresAt) {
      throw errors.unauthenticated('session expired: authenticate again');
    }
  };
  const catalog =
    deps.catalog ?? createToolCatalog(deps.platform, { toolTimeoutMs: limits.toolTimeoutMs });
  const agentOf = (principal: Principal, signal: AbortSignal): Promise<AgentHandle> =>
    deps.agents.connect(principal, { signal });

  return {
    authenticate: (token) => deps.authenticator.authenticate(token),

    chat(principal, requests, signal) {
      live(principal);
      return chatStream(
        {
          runner: deps.turns,
          agent: agentOf,
          limits,
          newId,
        },
        principal,
        requests,
        signal,
      );
    },

    async callTool(principal, request, signal, extra) {
      live(principal);
      checkToolName(request.name);
      const args = request.arguments ?? {};
      checkArguments(args, limits);
      // Permissions, routing, direct-mode verification and the tool timeout are the
      // catalog's. Tool calls are counted where they run (platform tools, the upstream), so
      // calls made by the LLM loop and direct calls count once each.
      return catalog.route(
        (agentSignal) => agentOf(principal, agentSignal),
        principal,
        request.name,
        args,
        { ...extra, signal },
      );
    },

    async listTools(principal, signal) {
      live(principal);
      const agent = await agentOf(principal, signal);
      const tools = await catalog.list(agent, principal, { signal });
      return create(gatewayv1.ListToolsResponseSchema, {
        tools: tools.map(toProtoTool),
      });
    },

    async readResource(principal, request, signal) {
      live(principal);
      checkUri(request.uri);
      const agent = await agentOf(principal, signal);
      return agent.readResource(request.uri, { signal, timeoutMs: limits.toolTimeoutMs });
    },

    endSession(principal) {
      deps.agents.disconnect(principal);
    },

    async admissionPrincipal(principal, signal) {
      if (principal.mode !== AuthMode.DIRECT) return principal;
      live(principal);
      return verifiedPrincipal(principal, await agentOf(principal, signal));
    },

    async subscribe(principal, uri, subscriber, signal) {
      live(principal);
      checkUri(uri);
      const agent = await agentOf(principal, signal);
      await agent.subscribe(uri, subscriber, { signal, timeoutMs: limits.toolTimeoutMs });
    },

    async unsubscribe(principal, uri, subscriber, signal) {
      live(principal);
      checkUri(uri);
      const agent = await agentOf(principal, signal);
      await agent.unsubscribe(uri, subscriber, { signal, timeoutMs: limits.toolTimeoutMs });
    },

    async listen(principal, request, onUpdated, signal) {
      live(principal);
      checkListenUris(request.uris);
      const agent = await agentOf(principal, signal);
      return agent.listen(request, onUpdated, signal);
    },

    async cancelCall(principal, callName, reason) {
      live(principal);
      const signal = AbortSignal.timeout(limits.toolTimeoutMs);
      const agent = await agentOf(principal, signal);
      await agent.cancel(callName, reason, { signal, timeoutMs: limits.toolTimeoutMs });
    },
  };
}
