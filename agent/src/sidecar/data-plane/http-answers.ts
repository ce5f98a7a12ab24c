// The data plane's HTTP answers to the gateway: bounded request bodies, the agent's answers
// passed back with the headers a client needs, JSON-RPC messages of its own, and refusals
// with a status and an `x-warmgate-code` the gateway understands.
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WarmgateError, codeName, errors } from '@warmgate/proto';
import { httpStatusOf, jsonRpcErrorBody } from '../../mcp/error-codes.js';

/** 10,000 candles as JSON fit comfortably (as the agent's own limit). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw errors.resourceExhausted(`request body over ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const PASSED_BACK = ['content-type', 'mcp-session-id', 'cache-control'];

function answerHeaders(from: IncomingMessage['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of PASSED_BACK) {
    const value = from[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

export function send(
  res: ServerResponse,
  status: number,
  headers: IncomingMessage['headers'],
  body: Buffer,
) {
  res.writeHead(status, { ...answerHeaders(headers), 'content-length': String(body.length) });
  res.end(body);
}

export function sendJsonRpc(
  res: ServerResponse,
  headers: IncomingMessage['headers'],
  message: unknown,
) {
  const body = Buffer.from(JSON.stringify(message));
  const session = headers['mcp-session-id'];
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': String(body.length),
    ...(typeof session === 'string' ? { 'mcp-session-id': session } : {}),
  });
  res.end(body);
}

/**
 * Passes the agent's answer on as it arrives (its length too, when it gave one), at most
 * `maxBytes`; throws where the answer breaks off or grows too large.
 */
export async function passThrough(
  res: ServerResponse,
  answer: IncomingMessage,
  maxBytes: number,
): Promise<void> {
  const length = answer.headers['content-length'];
  res.writeHead(answer.statusCode ?? 502, {
    ...answerHeaders(answer.headers),
    ...(typeof length === 'string' ? { 'content-length': length } : {}),
  });
  let size = 0;
  for await (const chunk of answer as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      answer.destroy();
      throw errors.unavailable(`the agent answered more than ${maxBytes} bytes`);
    }
    if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  }
  res.end();
}

/** Streams the agent's answer through (event streams stay open until either side ends). */
export function pipe(res: ServerResponse, answer: IncomingMessage): Promise<void> {
  res.writeHead(answer.statusCode ?? 502, answerHeaders(answer.headers));
  res.flushHeaders();
  return new Promise((resolve) => {
    answer.pipe(res);
    const done = () => resolve();
    answer.once('end', done);
    answer.once('error', () => {
      res.destroy();
      resolve();
    });
    res.once('close', () => {
      answer.destroy();
      resolve();
    });
  });
}

export function refuse(res: ServerResponse, reason: unknown): void {
  const error = WarmgateError.from(reason);
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = jsonRpcErrorBody(error);
  res.writeHead(httpStatusOf(error.code), {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-warmgate-code': codeName(error.code),
  });
  res.end(body);
}
