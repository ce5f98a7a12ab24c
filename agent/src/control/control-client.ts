// The sidecar's side of the control API: node:http over one kept-alive loopback connection to
// the agent of the same container (lighter per call than fetch, and bind pays for every
// call). Error bodies come back as the WarmgateError the agent threw.
import { Agent, request } from 'node:http';
import { ErrorCode, WarmgateError, errors, parseCode } from '@warmgate/proto';
import { traceHeaders } from '../telemetry/spans.js';
import {
  controlPaths,
  type AgentStatus,
  type BindCommand,
  type DrainCommand,
  type DrainResult,
} from './control-protocol.js';

export interface ControlClient {
  bind(command: BindCommand): Promise<AgentStatus>;
  drain(command: DrainCommand, signal?: AbortSignal): Promise<DrainResult>;
  status(signal?: AbortSignal): Promise<AgentStatus>;
  /** Tells the agent a bind is coming (it starts loading its MCP side). */
  prepare(): Promise<void>;
  close(): void;
}

const MAX_RESPONSE_BYTES = 1024 * 1024;

export function createControlClient(agentUrl: string, token: string): ControlClient {
  const url = new URL(agentUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  // A kept-alive socket the agent closed as idle fails on reuse: every control call is
  // idempotent (a repeated bind with the same binding id returns the same answer), so it is
  // retried once on a fresh connection.
  const call = <T>(path: string, body?: unknown, signal?: AbortSignal): Promise<T> =>
    once<T>(path, body, signal).catch((error: unknown) => {
      if (!isStaleSocket(error) || signal?.aborted) throw error;
      return once<T>(path, body, signal);
    });
  const once = <T>(path: string, body?: unknown, signal?: AbortSignal): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port || 80,
          path,
          method: payload === undefined ? 'GET' : 'POST',
          headers: {
            ...traceHeaders(),
            authorization: `Bearer ${token}`,
            ...(payload === undefined
              ? {}
              : {
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(payload),
                }),
          },
          signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) res.destroy(errors.internal('agent answer too large'));
            else chunks.push(chunk);
          });
          res.on('error', reject);
          res.on('end', () => {
            try {
              resolve(parse<T>(path, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      req.on('error', (cause) => {
        if (signal?.aborted) reject(WarmgateError.from(signal.reason));
        else reject(errors.unavailable(`cannot reach the agent at ${agentUrl}`, cause));
      });
      req.end(payload);
    });
  return {
    bind: (command) => call(controlPaths.bind, command),
    drain: (command, signal) => call(controlPaths.drain, command, signal),
    status: (signal) => call(controlPaths.status, undefined, signal),
    prepare: () => call<unknown>(controlPaths.prepare, {}).then(() => {}),
    close: () => agent.destroy(),
  };
}

function isStaleSocket(error: unknown): boolean {
  const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
  return (
    cause?.code === 'ECONNRESET' || cause?.code === 'EPIPE' || cause?.message === 'socket hang up'
  );
}

function parse<T>(path: string, status: number, text: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw errors.internal(`agent answered ${path} with non-JSON (HTTP ${status})`, cause);
  }
  if (status < 200 || status >= 300) {
    const error = (parsed as { error?: { code?: string; message?: string } }).error;
    const code = (error?.code && parseCode(error.code)) || ErrorCode.INTERNAL;
    throw new WarmgateError(code, error?.message ?? `agent answered HTTP ${status}`);
  }
  return parsed as T;
}
