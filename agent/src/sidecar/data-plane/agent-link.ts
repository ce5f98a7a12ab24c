// The sidecar's connection to the agent's MCP endpoint in the same container: Streamable
// HTTP at `/mcp` on a Unix socket or a loopback host:port (the agent start contract,
// docs/architecture.md). node:http with kept-alive sockets; an agent that refuses, drops or
// does not answer becomes a specific WarmgateError (UNAVAILABLE, DEADLINE_EXCEEDED), marked
// `agentFault` so the data plane reports the agent unhealthy.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { errors, type WarmgateError } from '@warmgate/proto';
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
  'traceparent',
  'tracestate',
];

export function forwardedHeaders(from: IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED) {
    const value = from[name];
    if (typeof value === 'string') headers[name] = value;
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
  const open = (
    method: string,
    headers: Record<string, string>,
    body?: Buffer,
    signal?: AbortSignal,
  ) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const req = http.request(
        {
          agent,
          ...(target.socketPath
            ? { socketPath: target.socketPath }
            : { host: target.host, port: target.port }),
          path: '/mcp',
          method,
          headers: body ? { ...headers, 'content-length': String(body.length) } : headers,
          signal,
        },
        resolve,
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        reject(
          signal?.aborted
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
    open,
    async stream(method, headers, body) {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      try {
        const response = await open(method, headers, body, abort.signal);
        return {
          response,
          timedOut: () => abort.signal.aborted,
          release: () => clearTimeout(timer),
        };
      } catch (error) {
        clearTimeout(timer);
        throw abort.signal.aborted ? hung(timeoutMs) : error;
      }
    },
    async call(method, headers, body, maxBytes) {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      try {
        const response = await open(method, headers, body, abort.signal).catch((error) => {
          throw abort.signal.aborted ? hung(timeoutMs) : error;
        });
        const chunks: Buffer[] = [];
        let size = 0;
        try {
          for await (const chunk of response as AsyncIterable<Buffer>) {
            size += chunk.length;
            if (size > maxBytes) {
              response.destroy();
              throw agentFault(
                errors.unavailable(`the agent answered more than ${maxBytes} bytes`),
              );
            }
            chunks.push(chunk);
          }
        } catch (error) {
          if (abort.signal.aborted) throw hung(timeoutMs);
          if (isAgentFault(error)) throw error;
          throw agentFault(
            errors.unavailable('the agent dropped the connection mid-answer', error),
          );
        }
        return {
          status: response.statusCode ?? 502,
          headers: response.headers,
          body: Buffer.concat(chunks),
        };
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => agent.destroy(),
  };
}

const hung = (timeoutMs: number) =>
  agentFault(errors.deadlineExceeded(`the agent did not answer within ${timeoutMs} ms`));
