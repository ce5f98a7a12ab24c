// The seams of the gateway's session core. The core (gateway/src/core) imports no I/O library;
// everything that talks to the outside world sits behind one of these interfaces, implemented
// in gateway/src/{auth,upstream,llm,platform} and wired together in gateway/src/main.ts.
import type { AuthMode, gatewayv1 } from '@warmgate/proto';

/** Who a session is, once authenticated. Never taken from client-supplied arguments. */
export interface Principal {
  readonly sessionId: string;
  readonly userId: string;
  readonly tier: string;
  readonly mode: AuthMode;
  /** Direct mode only: the client's JWE, forwarded untouched to the agent, which decides. */
  readonly credential?: string;
  /** When the session stops being valid (ms since the epoch): token `exp`, public timeout. */
  readonly expiresAt?: number;
}

/** Verifies a bearer token (JWT or JWE) or, when `token` is undefined, admits a public session. */
export interface Authenticator {
  /** Throws WarmgateError UNAUTHENTICATED (bad/expired token) or PERMISSION_DENIED (mode off). */
  authenticate(token: string | undefined): Promise<Principal>;
}

export type JsonObject = { [key: string]: unknown };

/** A tool as the core sees it, whatever runs it. */
export interface ToolDescriptor {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: JsonObject;
  readonly annotations: {
    title?: string;
    readOnly: boolean;
    destructive: boolean;
    idempotent: boolean;
  };
  readonly route: 'platform' | 'user';
}

export interface CallOptions {
  readonly signal: AbortSignal;
  /** Per-call timeout; the callee aborts and fails with DEADLINE_EXCEEDED after it. */
  readonly timeoutMs?: number;
  /** Tool calls: the caller wants progress (MCP notifications/progress) as it comes. */
  readonly onProgress?: (progress: Progress) => void;
  /**
   * Tool calls: the caller's name for this call (MCP: client session + request id), so a
   * cancellation that reaches another gateway replica can still name it to the agent.
   */
  readonly callName?: string;
}

export interface Progress {
  readonly progress: number;
  readonly total?: number;
  readonly message?: string;
}

/** What a notification channel to the agent delivers (resources/updated). */
export interface ListenRequest {
  /**
   * Deliver the updates of this subscriber's subscriptions (made with `subscribe`, possibly
   * through another replica); undefined: only `uris`.
   */
  readonly subscriber?: string;
  /** Resources to subscribe to on the channel itself. */
  readonly uris: readonly string[];
}

export interface Listening {
  /** Settles when the channel has ended (the signal aborted, or the agent went away). */
  readonly closed: Promise<void>;
}

/** The user's agent, reached through one long-lived MCP session. */
export interface AgentHandle {
  /**
   * The tier the pool manager bound the user at. In direct mode it is the tier of a credential
   * the pool manager verified (the principal's own tier is only the JWE's unverified header),
   * so admission of a direct-mode session counts against this one.
   */
  readonly tier: string;
  listTools(options: CallOptions): Promise<ToolDescriptor[]>;
  callTool(
    name: string,
    args: JsonObject,
    options: CallOptions,
  ): Promise<gatewayv1.CallToolResponse>;
  readResource(uri: string, options: CallOptions): Promise<gatewayv1.ReadResourceResponse>;
  /** Context resources for the LLM, served from a cache kept fresh by resource subscriptions. */
  context(options: CallOptions): Promise<AgentContext>;
  /**
   * Proves, with one round trip, that the agent accepts this session's credential now. Direct
   * mode needs it before serving anything the agent is not asked about (platform tools): only
   * the agent can verify a direct-mode credential.
   */
  verify(options: CallOptions): Promise<void>;
  /** Saves a finished turn to the user's conversation log (committed to git by the agent). */
  appendTurn(turn: FinishedTurn, options: CallOptions): Promise<void>;
  /** resources/subscribe on the agent, held for `subscriber` (any replica may deliver it). */
  subscribe(uri: string, subscriber: string, options: CallOptions): Promise<void>;
  unsubscribe(uri: string, subscriber: string, options: CallOptions): Promise<void>;
  /**
   * Opens a channel of resources/updated notifications; resolves once the agent delivers on
   * it. `onUpdated` gets each updated URI until `signal` aborts.
   */
  listen(
    request: ListenRequest,
    onUpdated: (uri: string) => void,
    signal: AbortSignal,
  ): Promise<Listening>;
  /** Cancels the call the gateway named `callName`, whichever agent session runs it. */
  cancel(callName: string, reason: string, options: CallOptions): Promise<void>;
}

export interface AgentContext {
  readonly profile: string;
  readonly conversationSummary: string;
  readonly workspaceState: string;
  readonly systemPrompt: string;
  readonly indicators: string;
  readonly strategies: string;
}

export interface FinishedTurn {
  readonly turnId: string;
  readonly userText: string;
  readonly answerText: string;
  readonly toolCalls: { name: string; isError: boolean }[];
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

/** Finds (or binds, through the pool manager) the principal's agent. Never creates containers. */
export interface AgentConnector {
  connect(principal: Principal, options: CallOptions): Promise<AgentHandle>;
  /** The session ended (socket closed, stream ended): drop per-session state. */
  disconnect(principal: Principal): void;
}

/** Platform tools: run inside the gateway (market data, time). */
export interface PlatformTools {
  list(): ToolDescriptor[];
  call(name: string, args: JsonObject, options: CallOptions): Promise<gatewayv1.CallToolResponse>;
}

/** One chat turn: the LLM loop with tool calls. Emits ChatResponse events as they happen. */
export interface TurnRunner {
  /**
   * Throws when the principal may not start a turn now (rate, budget): called before the
   * turn reaches for the user's agent, so a refused turn costs no container.
   */
  admit?(principal: Principal): void;
  /**
   * Runs the turn and ends it with exactly one FinalAnswer or Error event (a cancelled turn:
   * a FinalAnswer with `cancelled` and what was produced). Never throws; nothing follows the
   * final event.
   */
  run(
    turn: TurnInput,
    emit: (event: gatewayv1.ChatResponse) => void,
    signal: AbortSignal,
  ): Promise<void>;
}

export interface TurnInput {
  readonly principal: Principal;
  readonly turnId: string;
  readonly text: string;
  readonly agent: AgentHandle;
}
