// Small helpers for the agent's node:http handlers: bounded JSON bodies and JSON answers.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { WarmgateError, codeName, errors } from '@warmgate/proto';
import { httpStatusOf } from '../mcp/error-codes.js';
import { http } from './node-http.js';

/**
 * A message's whole body, at most `limitBytes`. Read with stream events, not an async
 * iterator: a cheap call's body is one chunk, and the iterator's promises and end-of-stream
 * bookkeeping cost more than reading it (profiled, the data plane's hot path). Over the limit
 * it rejects with `tooLarge()` and stops listening; a message that errors or closes before its
 * end rejects with `brokeOff(cause)`.
 */
export function readBounded(
  message: IncomingMessage,
  limitBytes: number,
  tooLarge: () => Error,
  brokeOff: (cause?: Error) => Error,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (message.destroyed) {
      reject(brokeOff());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        done();
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onBroken = (cause?: Error) => {
      done();
      reject(brokeOff(cause));
    };
    const onClose = () => onBroken();
    const done = () => {
      message.off('data', onData);
      message.off('end', onEnd);
      message.off('error', onBroken);
      message.off('close', onClose);
    };
    message.on('data', onData);
    message.on('end', onEnd);
    message.on('error', onBroken);
    message.on('close', onClose);
  });
}

export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const body = await readBounded(
    req,
    limitBytes,
    () => errors.resourceExhausted(`request body over ${limitBytes} bytes`),
    (cause) => errors.cancelled('the caller went away mid-request', cause),
  );
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (cause) {
    throw errors.invalidArgument('request body is not JSON', cause);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendError(res: ServerResponse, reason: unknown): void {
  const error = WarmgateError.from(reason);
  sendJson(res, httpStatusOf(error.code), {
    error: { code: codeName(error.code), message: error.message },
  });
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** setInterval's longest delay (a longer one fires after 1 ms). */
const NEVER_MS = 2 ** 31 - 1;

export interface RouteServerOptions {
  /**
   * For a server only its own sidecar reaches (the agent in role `mcp`): no request or
   * headers timeout, so no timer at all while idle. node:http checks those timeouts every
   * `connectionsCheckingInterval` (30 s) from listen on, with or without a connection: the
   * only periodic wake-up of an idle warm agent.
   */
  quietWhileIdle?: boolean;
}

/**
 * A node:http server for the agent's and the sidecar's routes: `route` answers one request
 * (its path without the query); a failure becomes the error's JSON answer, or ends a response
 * already started. Keep-alive outlasts the gateway's idle connections.
 */
export function createRouteServer(
  route: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>,
  options: RouteServerOptions = {},
): Server {
  const quiet = options.quietWhileIdle
    ? { requestTimeout: 0, headersTimeout: 0, connectionsCheckingInterval: NEVER_MS }
    : {};
  const server = http.createServer(quiet, (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    route(req, res, path).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, error);
      else res.end();
    });
  });
  server.keepAliveTimeout = 65_000;
  return server;
}
