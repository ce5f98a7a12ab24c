// Hostile input over WebSocket: every malformed frame gets a specific error, the socket (and
// the process) survive what they should, and slow consumers are closed instead of buffered.
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode } from '@warmgate/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawWebSocket } from '../support/raw-ws.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { jwt } from '../support/tokens.js';
import { WsClient } from '../support/ws-client.js';

let gateway: TestGateway;

beforeAll(async () => {
  // No pool manager: nothing here reaches an agent.
  gateway = await startTestGateway(
    '127.0.0.1:1',
    {},
    { maxFrameBytes: 4096, maxBufferedBytes: 16 * 1024 },
  );
});

afterAll(async () => {
  await gateway?.close();
});

async function open(token?: string, binary = false) {
  return WsClient.connect(gateway.baseUrl, { token: token ?? (await jwt()), binary });
}

/** The socket still answers. */
async function alive(ws: WsClient) {
  const pong = await ws.request({ id: 'alive', kind: { case: 'ping', value: { nonce: 7n } } });
  expect(pong.kind).toMatchObject({ case: 'pong', value: { nonce: 7n } });
}

async function errorFor(ws: WsClient, raw: string | Uint8Array, id = '') {
  const next = ws.next(id);
  ws.sendRaw(raw);
  const frame = await next;
  expect(frame.kind.case).toBe('error');
  return frame.kind.value as { code: ErrorCode; message: string };
}

describe('malformed frames', () => {
  it.each([
    ['bad JSON', '{"id": "a", ', '', /^malformed text frame: /],
    [
      'an unknown oneof member',
      '{"id":"u1","launchMissiles":{}}',
      'u1',
      /^malformed text frame: .*launchMissiles/,
    ],
    ['a frame without a kind', '{"id":"k1"}', 'k1', /^frame has no known kind/],
    ['a request without an id', '{"listTools":{}}', '', /^a listTools frame needs an id$/],
    [
      'an id over 64 characters',
      JSON.stringify({ id: 'x'.repeat(65), ping: {} }),
      '',
      /^frame id longer than 64 characters$/,
    ],
    ['a JSON array', '[1,2,3]', '', /^malformed text frame: /],
    ['a wrong field type', '{"id":"t1","callTool":{"name":42}}', 't1', /^malformed text frame: /],
  ])('answers %s with INVALID_ARGUMENT and keeps the socket', async (_label, raw, id, message) => {
    const ws = await open();
    await ws.next(''); // authenticated
    const error = await errorFor(ws, raw, id);
    expect(error.code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(error.message).toMatch(message);
    await alive(ws);
    await ws.close();
  });

  it('answers bad binary with INVALID_ARGUMENT', async () => {
    const ws = await open(undefined, true);
    await ws.next('');
    const error = await errorFor(ws, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]));
    expect(error).toMatchObject({
      code: ErrorCode.INVALID_ARGUMENT,
      message: 'malformed binary frame: not a protobuf ClientFrame',
    });
    await alive(ws);
    await ws.close();
  });

  it('drops a socket that sends invalid UTF-8 in a text frame (uWebSockets.js protocol check)', async () => {
    const raw = await rawWebSocket(gateway.servers.httpPort);
    const chunks: Buffer[] = [];
    raw.socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = new Promise((resolve) => raw.socket.once('close', resolve));
    raw.sendFrame(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]));
    await ended;
    // uWebSockets.js validates text frames itself and drops the connection without a reply.
    expect(Buffer.concat(chunks).length).toBe(0);
    raw.destroy();
  });

  it('closes a socket that sends an oversized frame (1009), and serves the next one', async () => {
    const ws = await open();
    await ws.next('');
    ws.sendRaw(JSON.stringify({ id: 'big', ping: {}, pad: 'x'.repeat(10_000) }));
    const closed = await ws.closed;
    expect(closed.code).toBe(1009);
    const next = await open();
    await next.next('');
    await alive(next);
    await next.close();
  });

  it('refuses a second authenticate frame', async () => {
    const ws = await open();
    await ws.next('');
    await expect(
      ws.request({ id: 'again', kind: { case: 'authenticate', value: { token: 'x' } } }),
    ).rejects.toMatchObject({
      code: ErrorCode.FAILED_PRECONDITION,
    });
    await ws.close();
  });

  it('refuses too many requests in flight', async () => {
    const ws = await open();
    await ws.next('');
    // Chats stay in flight for the socket's lifetime.
    for (let i = 0; i < gateway.config.limits.maxInflightPerSocket; i++) {
      ws.send({
        id: `c${i}`,
        kind: { case: 'chat', value: { kind: { case: 'cancel', value: {} } } },
      });
    }
    await expect(
      ws.request({ id: 'one-more', kind: { case: 'listTools', value: {} } }),
    ).rejects.toMatchObject({
      code: ErrorCode.RESOURCE_EXHAUSTED,
    });
    await ws.close();
  });
});

describe('authentication at connect', () => {
  it('refuses a wrong token in the upgrade with an error frame and close 1008', async () => {
    const ws = await WsClient.connect(gateway.baseUrl, { token: 'not-a-token' });
    const frame = await ws.next('');
    expect(frame.kind).toMatchObject({
      case: 'error',
      value: { code: ErrorCode.UNAUTHENTICATED, message: 'token malformed' },
    });
    expect(await ws.closed).toEqual({ code: 1008, reason: 'UNAUTHENTICATED: token malformed' });
  });

  it('refuses an expired token in an authenticate frame, answering its id', async () => {
    const ws = await WsClient.connect(gateway.baseUrl);
    const token = await jwt({ expiresIn: -60 });
    await expect(
      ws.request({ id: 'auth', kind: { case: 'authenticate', value: { token } } }),
    ).rejects.toMatchObject({
      code: ErrorCode.UNAUTHENTICATED,
      message: 'token expired',
    });
    expect((await ws.closed).code).toBe(1008);
  });

  it('reads no token from the URL (?access_token= is ignored: URLs end up in logs)', async () => {
    const url = `${gateway.baseUrl.replace(/^http/, 'ws')}/ws?access_token=${await jwt({ sub: 'mallory' })}`;
    const socket = new WebSocket(url);
    const frames: { authenticated?: { userId: string } }[] = [];
    socket.addEventListener('message', (event) => frames.push(JSON.parse(String(event.data))));
    await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
    // Had the URL token been read, this would be refused as a second authenticate frame.
    const token = await jwt({ sub: 'carol' });
    socket.send(JSON.stringify({ id: 'a', authenticate: { token } }));
    await expect.poll(() => frames.length).toBeGreaterThan(0);
    expect(frames[0]).toMatchObject({ id: 'a', authenticated: { userId: 'carol' } });
    socket.close();
  });

  it('accepts the Authorization header and a first authenticate frame', async () => {
    const token = await jwt({ sub: 'carol', tier: 'pro' });
    const ws = await WsClient.connect(gateway.baseUrl);
    const answer = await ws.request({ id: 'a', kind: { case: 'authenticate', value: { token } } });
    expect(answer.kind).toMatchObject({
      case: 'authenticated',
      value: { userId: 'carol', tier: 'pro' },
    });
    await ws.close();
    const response = await fetch(`${gateway.baseUrl}/ws`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).not.toBe(500); // a plain GET is not an upgrade; only checks the route
  });
});

describe('backpressure', () => {
  it('closes a consumer that stops reading once its buffer passes the limit', async () => {
    const raw = await rawWebSocket(gateway.servers.httpPort);
    raw.socket.pause(); // never read again
    const before = gateway.servers.wsConnections();
    expect(before).toBeGreaterThanOrEqual(1);
    const ping = Buffer.from(JSON.stringify({ id: 'p', ping: { nonce: '1' } }));
    // Loopback kernel buffers hold megabytes; keep sending until the server gives up on us.
    for (let i = 0; i < 400 && gateway.servers.wsConnections() >= before; i++) {
      for (let j = 0; j < 500; j++) raw.sendFrame(ping);
      await sleep(5);
    }
    expect(gateway.servers.wsConnections()).toBeLessThan(before);
    raw.destroy();
  });
});

describe('the process survives', () => {
  it('still serves health and a fresh socket after all of the above', async () => {
    expect((await fetch(`${gateway.baseUrl}/healthz`)).status).toBe(200);
    const ws = await open();
    await ws.next('');
    await alive(ws);
    await ws.close();
  });
});

describe('error frames stay readable', () => {
  it('answers a frame holding a lone surrogate pair half with a decodable error', async () => {
    const ws = await open();
    await ws.next('');
    const error = await errorFor(ws, '\u{10000}');
    expect(error.code).toBe(ErrorCode.INVALID_ARGUMENT);
    // Well-formed UTF-16: no half of a surrogate pair (the client decoded the frame at all).
    expect(error.message).not.toMatch(
      /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/,
    );
    await alive(ws);
    await ws.close();
  });
});
