// The data plane's HTTP answers to the gateway: bounded request bodies, the agent's answers
// passed back with the headers a client needs, JSON-RPC messages of its own, and refusals
// with a status and an `x-warmgate-code` the gateway understands.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WarmgateError, codeName, errors } from '@warmgate/proto';
import { httpStatusOf, jsonRpcErrorBody } from '../../mcp/error-codes.js';
import { readBounded } from '../../server/http-util.js';

/** 10,000 candles as JSON fit comfortably (as the agent's own limit). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The whole request body, at most MAX_BODY_BYTES (RESOURCE_EXHAUSTED over it). */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  // Over the limit it is refused with its own answer; the server discards the rest.
  return readBounded(
    req,
    MAX_BODY_BYTES,
    () => errors.resourceExhausted(`request body over ${MAX_BODY_BYTES} bytes`),
    (cause) => errors.cancelled('the caller went away mid-request', cause),
  );
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
 * `maxBytes`; rejects where the answer breaks off or grows too large. Stream events, no async
 * iterator (the hot path of every read). An answer of known length goes out as it comes,
 * its last chunk with the end; a stream (SSE) chunk by chunk.
 */
export function passThrough(
  res: ServerResponse,
  answer: IncomingMessage,
  maxBytes: number,
): Promise<void> {
  const length = answer.headers['content-length'];
  res.writeHead(answer.statusCode ?? 502, {
    ...answerHeaders(answer.headers),
    ...(typeof length === 'string' ? { 'content-length': length } : {}),
  });
  return new Promise((resolve, reject) => {
    let size = 0;
    let ended = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        stop();
        answer.destroy();
        reject(errors.unavailable(`the agent answered more than ${maxBytes} bytes`));
        return;
      }
      if (!res.write(chunk)) {
        // The gateway reads slower than the agent answers: hold the agent until it catches up.
        answer.pause();
        res.once('drain', () => answer.resume());
      }
    };
    const onEnd = () => {
      ended = true;
      stop();
      res.end();
      resolve();
    };
    const onBroken = (error?: Error) => {
      stop();
      reject(error ?? errors.unavailable('the agent dropped the connection mid-answer'));
    };
    const onClose = () => {
      if (!ended) onBroken();
    };
    // The gateway went away: nobody reads the rest (the old loop wrote on into a closed answer).
    const onGatewayGone = () => {
      if (ended) return;
      stop();
      answer.destroy();
      resolve();
    };
    const stop = () => {
      answer.off('data', onData);
      answer.off('end', onEnd);
      answer.off('error', onBroken);
      answer.off('close', onClose);
      res.off('close', onGatewayGone);
    };
    answer.on('data', onData);
    answer.on('end', onEnd);
    answer.on('error', onBroken);
    answer.on('close', onClose);
    res.on('close', onGatewayGone);
  });
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
