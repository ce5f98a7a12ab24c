// One long-lived MCP session to one agent (Streamable HTTP, keep-alive through Node's fetch).
// Every HTTP request — POSTs and the notification stream alike — goes through a custom fetch
// that adds fresh trust headers (assertion or forwarded credential) and the trace context.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CallToolResultSchema,
  ErrorCode as McpCode,
  McpError,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import {
  CALL_META,
  CANCEL_NOTIFICATION,
  SUBSCRIBER_CAPABILITY,
  SUBSCRIBER_META,
} from '@warmgate/contract/meta-keys';
import type { AuthMode } from '@warmgate/proto';
import { ErrorCode, errors, parseMcpUrl } from '@warmgate/proto';
import { unixFetch } from './unix-fetch.js';
import type { CallOptions, FinishedTurn, JsonObject } from '../core/ports.js';
import { traceHeaders } from '../telemetry/propagation.js';
import { appendTurnArguments, appendTurnTool } from './append-turn.js';
import { createContextCache, type ContextCache } from './context-cache.js';
import { fromMcpError } from './mcp-errors.js';
import { isInternalTool, resourceText } from './mcp-convert.js';
import { createLeanCaller, type LeanCaller } from './lean-call.js';
import { sharedSchemaValidator } from './shared-schema-validator.js';

export interface AgentConnectionOptions {
  readonly url: string;
  readonly mode: AuthMode;
  /** Headers for every request, computed per request (tokens expire). */
  readonly headers: () => Promise<Record<string, string>>;
  /** Used when a call sets no timeoutMs. */
  readonly callTimeoutMs: number;
  /** Called once when the connection fails or closes. */
  readonly onClosed?: () => void;
  /** A notification channel: declare this subscriber to the agent (its updates come here). */
  readonly subscriber?: string;
  /** Every resources/updated the agent sends on this connection. */
  readonly onResourceUpdated?: (uri: string) => void;
}

/** Pages of tools/list read at most (bounded loop over a remote cursor). */
const maxToolPages = 20;

export class AgentConnection {
  readonly context: ContextCache;
  private tools: Promise<Tool[]> | undefined;
  private closed = false;
  private shutdown: Promise<void> | undefined;
  /** Settles when the agent answers the notification stream (GET) the SDK opens after connect. */
  streamOpen: Promise<void> = Promise.resolve();
  private leanIds = 0;

  private constructor(
    private readonly client: Client,
    private readonly transport: StreamableHTTPClientTransport,
    private readonly options: AgentConnectionOptions,
    /** tools/call without progress, past the SDK client (lean-call.ts). */
    private readonly lean: LeanCaller,
  ) {
    this.context = createContextCache({
      read: async (uri, signal) => {
        try {
          return resourceText(
            await this.client.readResource({ uri }, this.requestOptions({ signal })),
          );
        } catch (error) {
          const failure = this.fail(error, signal);
          if (failure.code === ErrorCode.NOT_FOUND) return '';
          throw failure;
        }
      },
      subscribe: async (uri, signal) => {
        if (!this.client.getServerCapabilities()?.resources?.subscribe) return false;
        await this.client.subscribeResource({ uri }, this.requestOptions({ signal }));
        return true;
      },
    });
  }

  static async open(
    options: AgentConnectionOptions,
    signal: AbortSignal,
  ): Promise<AgentConnection> {
    let streamAnswered: (error?: Error) => void = () => {};
    const streamOpen = new Promise<void>((resolve, reject) => {
      streamAnswered = (error) => (error ? reject(error) : resolve());
    });
    streamOpen.catch(() => {});
    // An agent container without a network answers on a Unix socket (http+unix:// URL).
    const endpoint = parseMcpUrl(options.url);
    const send = endpoint.socketPath ? unixFetch(endpoint.socketPath) : fetch;
    const fetchWithHeaders = async (url: string | URL, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      for (const [name, value] of Object.entries(await options.headers())) headers.set(name, value);
      for (const [name, value] of Object.entries(traceHeaders())) headers.set(name, value);
      const response = await send(url, { ...init, headers });
      // The agent registers the stream before it answers: from here on it delivers.
      if (init?.method === 'GET') {
        streamAnswered(
          response.ok ? undefined : new Error(`notification stream refused: ${response.status}`),
        );
      }
      return response;
    };
    const transport = new StreamableHTTPClientTransport(endpoint.url, {
      fetch: fetchWithHeaders,
      // A dropped notification stream is re-opened a few times, then the cache stops trusting it.
      reconnectionOptions: {
        initialReconnectionDelay: 200,
        maxReconnectionDelay: 5_000,
        reconnectionDelayGrowFactor: 2,
        maxRetries: 5,
      },
    });
    sendInitializedWithoutWaiting(transport);
    const client = new Client(
      { name: 'warmgate-gateway', version: '0.1.0' },
      {
        jsonSchemaValidator: sharedSchemaValidator(),
        ...(options.subscriber
          ? {
              capabilities: {
                experimental: { [SUBSCRIBER_CAPABILITY]: { id: options.subscriber } },
              },
            }
          : {}),
      },
    );
    const lean = createLeanCaller(endpoint);
    const connection = new AgentConnection(client, transport, options, lean);
    connection.streamOpen = streamOpen;
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
      connection.context.invalidate(notification.params.uri);
      options.onResourceUpdated?.(notification.params.uri);
    });
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      connection.tools = undefined;
    });
    client.onclose = () => connection.markClosed();
    try {
      await client.connect(transport, connection.requestOptions({ signal }));
    } catch (error) {
      await client.close().catch(() => {});
      await lean.close();
      throw fromMcpError(error, options.mode, signal);
    }
    return connection;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The agent stopped answering: the next call re-acquires (the connector closes this). */
  markDead(): void {
    this.markClosed();
  }

  /** Every tool of the agent, internal ones included (cached until tools/list_changed). */
  async allTools(options: CallOptions): Promise<Tool[]> {
    if (!this.tools) {
      const loading = this.loadTools(options.signal);
      this.tools = loading;
      loading.catch(() => {
        if (this.tools === loading) this.tools = undefined;
      });
    }
    return this.tools;
  }

  async callTool(name: string, args: JsonObject, options: CallOptions): Promise<CallToolResult> {
    const tools = await this.allTools(options);
    const tool = tools.find((t) => t.name === name);
    // Internal tools (conversation_append, ...) are the gateway's to call, never a client's.
    if (!tool || isInternalTool(tool)) throw errors.notFound(`the agent has no tool "${name}"`);
    return this.rawCall(name, args, options);
  }

  /** An MCP ping: the agent checks the request's credential like any other. */
  async ping(options: CallOptions): Promise<void> {
    try {
      await this.client.ping(this.requestOptions(options));
    } catch (error) {
      throw this.fail(error, options.signal);
    }
  }

  async readResource(uri: string, options: CallOptions) {
    try {
      return await this.client.readResource({ uri }, this.requestOptions(options));
    } catch (error) {
      throw this.fail(error, options.signal);
    }
  }

  /** resources/subscribe, for `subscriber` when given, else for this connection itself. */
  async subscribe(uri: string, subscriber: string | undefined, options: CallOptions) {
    try {
      await this.client.subscribeResource(
        { uri, ...(subscriber ? { _meta: { [SUBSCRIBER_META]: subscriber } } : {}) },
        this.requestOptions(options),
      );
    } catch (error) {
      throw this.fail(error, options.signal);
    }
  }

  async unsubscribe(uri: string, subscriber: string | undefined, options: CallOptions) {
    try {
      await this.client.unsubscribeResource(
        { uri, ...(subscriber ? { _meta: { [SUBSCRIBER_META]: subscriber } } : {}) },
        this.requestOptions(options),
      );
    } catch (error) {
      throw this.fail(error, options.signal);
    }
  }

  /** Asks the agent to cancel a call the gateway named, whichever of its sessions runs it. */
  async cancel(callName: string, reason: string): Promise<void> {
    try {
      await this.client.notification({
        method: CANCEL_NOTIFICATION,
        params: { call: callName, reason },
      } as never);
    } catch (error) {
      throw this.fail(error, new AbortController().signal);
    }
  }

  async appendTurn(turn: FinishedTurn, options: CallOptions): Promise<void> {
    const result = await this.rawCall(appendTurnTool, appendTurnArguments(turn), options);
    if (result.isError) {
      const text = result.content.flatMap((c) => (c.type === 'text' ? [c.text] : [])).join(' ');
      throw errors.unavailable(`the agent could not save the turn: ${text || 'no reason given'}`);
    }
  }

  /** Ends the MCP session (once; later calls wait for the same shutdown). */
  close(): Promise<void> {
    this.markClosed();
    this.shutdown ??= (async () => {
      // Tell the agent to free the session; do not wait long for an agent that is going away.
      await Promise.race([
        this.transport.terminateSession().catch(() => {}),
        new Promise((resolve) => setTimeout(resolve, 1_000).unref()),
      ]);
      await this.client.close().catch(() => {});
      await this.lean.close().catch(() => {});
    })();
    return this.shutdown;
  }

  private async rawCall(
    name: string,
    args: JsonObject,
    options: CallOptions,
  ): Promise<CallToolResult> {
    const onProgress = options.onProgress;
    if (!onProgress && this.transport.sessionId !== undefined) {
      return this.leanCall(name, args, options);
    }
    try {
      const result = await this.client.callTool(
        {
          name,
          arguments: args,
          ...(options.callName ? { _meta: { [CALL_META]: options.callName } } : {}),
        },
        CallToolResultSchema,
        {
          ...this.requestOptions(options),
          // The SDK adds a progressToken and routes the agent's notifications/progress here.
          ...(onProgress
            ? {
                onprogress: (p: { progress: number; total?: number; message?: string }) =>
                  onProgress({ progress: p.progress, total: p.total, message: p.message }),
              }
            : {}),
        },
      );
      return result as CallToolResult;
    } catch (error) {
      throw this.fail(error, options.signal);
    }
  }

  /** rawCall without the SDK client: same request, same errors, same cancellation. */
  private async leanCall(
    name: string,
    args: JsonObject,
    options: CallOptions,
  ): Promise<CallToolResult> {
    const id = `w${++this.leanIds}`;
    const timeoutMs = options.timeoutMs ?? this.options.callTimeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(
      () =>
        controller.abort(
          new McpError(McpCode.RequestTimeout, 'Request timed out', { timeout: timeoutMs }),
        ),
      timeoutMs,
    );
    const onAbort = () => controller.abort(options.signal.reason);
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const headers: Record<string, string> = {
        ...(await this.options.headers()),
        ...traceHeaders(),
        'mcp-session-id': this.transport.sessionId!,
      };
      const version = this.transport.protocolVersion;
      if (version) headers['mcp-protocol-version'] = version;
      return await this.lean.call(
        {
          id,
          name,
          arguments: args,
          ...(options.callName ? { meta: { [CALL_META]: options.callName } } : {}),
          headers,
          signal: controller.signal,
        },
        (message) => this.transport.onmessage?.(message),
      );
    } catch (error) {
      if (controller.signal.aborted) {
        // As the SDK client does: the agent stops the work nobody waits for.
        void this.client
          .notification({
            method: 'notifications/cancelled',
            params: { requestId: id, reason: String(controller.signal.reason) },
          })
          .catch(() => {});
      }
      throw this.fail(error, options.signal);
    } finally {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
    }
  }

  private async loadTools(signal: AbortSignal): Promise<Tool[]> {
    const all: Tool[] = [];
    let cursor: string | undefined;
    try {
      for (let page = 0; page < maxToolPages; page++) {
        const result = await this.client.listTools(
          cursor ? { cursor } : {},
          this.requestOptions({ signal }),
        );
        all.push(...result.tools);
        cursor = result.nextCursor;
        if (!cursor) break;
      }
    } catch (error) {
      throw this.fail(error, signal);
    }
    return all;
  }

  private requestOptions(options: { signal: AbortSignal; timeoutMs?: number }) {
    return { signal: options.signal, timeout: options.timeoutMs ?? this.options.callTimeoutMs };
  }

  private fail(error: unknown, signal: AbortSignal) {
    return fromMcpError(error, this.options.mode, signal);
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.options.onClosed?.();
  }
}

/**
 * Session set-up is initialize → notifications/initialized → tools/list → the call: four
 * round trips before a new user's first result. The notification has no answer to wait for
 * (the agent replies 202), and MCP lets the client send requests once initialize has been
 * answered, so it goes out without holding up connect(): tools/list travels beside it and the
 * set-up costs three round trips. A failed notification still reaches the transport's onerror.
 */
function sendInitializedWithoutWaiting(transport: StreamableHTTPClientTransport): void {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    if (!Array.isArray(message) && 'method' in message && !('id' in message)) {
      if (message.method === 'notifications/initialized') {
        void send(message, options).catch((error: unknown) =>
          transport.onerror?.(error instanceof Error ? error : new Error(String(error))),
        );
        return Promise.resolve();
      }
    }
    return send(message, options);
  };
}
