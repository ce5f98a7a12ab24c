// The sidecar's connection to the agent's MCP endpoint in the same container: Streamable
// HTTP at `/mcp` on a Unix socket or a loopback host:port (the agent start contract,
// docs/architecture.md). node:http with kept-alive sockets; an agent that refuses, drops or
// does not answer becomes a specific WarmgateError (UNAVAILABLE, DEADLINE_EXCEEDED), marked
// `agentFault` so the data plane reports the agent unhealthy.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { errors, type WarmgateError } from '@warmgate/proto';
import { readBounded } from '../../server/http-util.js';
import { http } from '../../server/node-http.js';

export interface AgentTarget {
  socketPath?: string;
  host?: string;
  port?: number;
}

/** `WARMGATE_AGENT_LISTEN`: an absolute path is a Unix socket, anything else host:port. */
export function parseListen(value: string): AgentTarget {
  if (value.startsWith('/')) return { socketPath: value };
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) {
    throw errors.invalidArgument(
      `agent address "${value}" is neither an absolute socket path nor host:port`,
    );
  }
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

export interface AgentResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Marks a failure that is the agent's (unreachable, crashed, hung, malformed). */
export function agentFault(error: WarmgateError): WarmgateError {
  (error as WarmgateError & { agentFault?: boolean }).agentFault = true;
  return error;
}

export function isAgentFault(error: unknown): boolean {
  return (error as { agentFault?: boolean } | null)?.agentFault === true;
}

/** Request headers the agent may see: no Warmgate credential, no authorization. */
const FORWARDED = [
  'content-type',
  'accept',
  'mcp-session-id',
  'mcp-protocol-version',
  'last-event-id',
];

/**
 * The headers for the agent: `from`'s MCP headers, and the trace context of the sidecar's own
 * span (`traced`, the active context's `traceparent`), so the agent's spans are children of
 * the sidecar's `mcp POST` span. A sidecar that traces nothing passes the caller's on, so the
 * agent's spans still join the caller's trace.
 */
export function forwardedHeaders(
  from: IncomingHttpHeaders,
  traced: Record<string, string> = {},
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED) {
    const value = from[name];
    if (typeof value === 'string') headers[name] = value;
  }
  if (traced.traceparent !== undefined) {
    headers.traceparent = traced.traceparent;
    if (traced.tracestate !== undefined) headers.tracestate = traced.tracestate;
  } else {
    for (const name of ['traceparent', 'tracestate']) {
      const value = from[name];
      if (typeof value === 'string') headers[name] = value;
    }
  }
  return headers;
}

export interface AgentLink {
  /** The agent's response as a stream (GET event streams, plain pass-through). */
  open(
    method: string,
    headers: Record<string, string>,
    body?: Buffer,
    signal?: AbortSignal,
  ): Promise<IncomingMessage>;
  /**
   * The response as it arrives, bounded in time until `release()` (HTTP links; a stdio link
   * has none, its answers are whole messages anyway).
   */
  stream?(method: string, headers: Record<string, string>, body: Buffer): Promise<StreamedAnswer>;
  /** The whole response, bounded in size and time. */
  call(
    method: string,
    headers: Record<string, string>,
    body: Buffer,
    maxBytes: number,
  ): Promise<AgentResponse>;
  close(): void;
}

export interface StreamedAnswer {
  readonly response: IncomingMessage;
  /** The agent's time ran out (the response was cut off). */
  timedOut(): boolean;
  /** Stops the clock (call once the answer has been passed on). */
  release(): void;
}

export function createAgentLink(target: AgentTarget, timeoutMs: number): AgentLink {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const where = target.socketPath ?? `${target.host}:${target.port}`;
  const address = target.socketPath
    ? { socketPath: target.socketPath }
    : { host: target.host, port: target.port };

  /**
   * One request. `deadline`: the agent's whole answer must be in within timeoutMs, else the
   * request is destroyed (its response breaks off). A plain timer rather than an
   * AbortSignal: a signal on a request costs an abort listener and end-of-stream tracking per
   * call, measurable on the hot path of every tool call.
   */
  const send = (
    method: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
    deadline: { timedOut: boolean; timer?: NodeJS.Timeout } | undefined,
    signal?: AbortSignal,
  ) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const req = http.request(
        {
          agent,
          ...address,
          path: '/mcp',
          method,
          headers: body ? { ...headers, 'content-length': String(body.length) } : headers,
          ...(signal ? { signal } : {}),
        },
        resolve,
      );
      if (deadline) {
        deadline.timer = setTimeout(() => {
          deadline.timedOut = true;
          req.destroy(hung(timeoutMs));
        }, timeoutMs);
      }
      req.on('error', (error: NodeJS.ErrnoException) => {
        reject(
          deadline?.timedOut
            ? hung(timeoutMs)
            : signal?.aborted
              ? errors.cancelled('the caller went away')
              : agentFault(
                  errors.unavailable(
                    `the agent at ${where} is not reachable (${error.code ?? error.message})`,
                    error,
                  ),
                ),
        );
      });
      req.end(body);
    });

  return {
    open: (method, headers, body, signal) => send(method, headers, body, undefined, signal),
    async stream(method, headers, body) {
      const deadline: { timedOut: boolean; timer?: NodeJS.Timeout } = { timedOut: false };
      try {
        const response = await send(method, headers, body, deadline);
        return {
          response,
          timedOut: () => deadline.timedOut,
          release: () => clearTimeout(deadline.timer),
        };
      } catch (error) {
        clearTimeout(deadline.timer);
        throw error;
      }
    },
    async call(method, headers, body, maxBytes) {
      const deadline: { timedOut: boolean; timer?: NodeJS.Timeout } = { timedOut: false };
      try {
        const response = await send(method, headers, body, deadline);
        const answer = await readAnswer(response, maxBytes).catch((error: unknown) => {
          if (deadline.timedOut) throw hung(timeoutMs);
          if (isAgentFault(error)) throw error;
          throw agentFault(
            errors.unavailable('the agent dropped the connection mid-answer', error),
          );
        });
        return { status: response.statusCode ?? 502, headers: response.headers, body: answer };
      } finally {
        clearTimeout(deadline.timer);
      }
    },
    close: () => agent.destroy(),
  };
}

/** A response's whole body, at most `maxBytes`; an answer over it is cut off. */
function readAnswer(response: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return readBounded(
    response,
    maxBytes,
    () => {
      response.destroy();
      return agentFault(errors.unavailable(`the agent answered more than ${maxBytes} bytes`));
    },
    (cause) => cause ?? new Error('the answer broke off'),
  );
}

const hung = (timeoutMs: number) =>
  agentFault(errors.deadlineExceeded(`the agent did not answer within ${timeoutMs} ms`));
