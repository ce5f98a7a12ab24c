// The gateway's gRPC connection bounds against the real gRPC server (real listener with its
// connection caps, grpc-js, Node's HTTP/2): a peer that stops answering keepalive pings is
// disconnected; a client that pings too often gets GOAWAY ENHANCE_YOUR_CALM "too_many_pings"
// (as gRPC core answers; grpc-js alone answers every ping) while others are served; a
// connection carries at most max_concurrent_streams calls at once, the next call waiting in
// the client until one ends.
import { once } from 'node:events';
import { connect as http2Connect, constants } from 'node:http2';
import { connect as tcpConnect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { gatewayv1 } from '@warmgate/proto';
import { createClient } from '@warmgate/proto/grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsyncQueue } from '../../src/core/session/async-queue.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { jwt } from '../support/tokens.js';

let gateway: TestGateway;

beforeAll(async () => {
  // No pool manager: nothing here reaches an agent.
  gateway = await startTestGateway('127.0.0.1:1', {
    WARMGATE_GRPC_KEEPALIVE_TIME_MS: '1000',
    WARMGATE_GRPC_KEEPALIVE_TIMEOUT_MS: '1000',
    WARMGATE_GRPC_MAX_CONCURRENT_STREAMS: '2',
    WARMGATE_GRPC_MIN_PING_INTERVAL_MS: '1000',
    WARMGATE_GRPC_MAX_PING_STRIKES: '2',
  });
}, 30_000);

afterAll(() => gateway?.close());

/** The gRPC listener's host and port. */
function grpcEndpoint(): [string, number] {
  const at = gateway.grpcAddress.lastIndexOf(':');
  return [gateway.grpcAddress.slice(0, at), Number(gateway.grpcAddress.slice(at + 1))];
}

/** One HTTP/2 frame. */
const frame = (type: number, flags: number, payload = Buffer.alloc(0)) => {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  return Buffer.concat([header, payload]);
};
const SETTINGS = 0x4;
const PING = 0x6;
const GOAWAY = 0x7;

/**
 * A raw HTTP/2 peer that speaks the preface and acknowledges SETTINGS, but never answers a
 * PING: what a half-dead client looks like to the server.
 */
function deafPeer() {
  const [host, port] = grpcEndpoint();
  const socket: Socket = tcpConnect(port, host);
  const events: { at: number; what: string }[] = [];
  const started = Date.now();
  let buffer = Buffer.alloc(0);
  socket.on('data', (data: Buffer) => {
    buffer = Buffer.concat([buffer, data]);
    while (buffer.length >= 9) {
      const length = buffer.readUIntBE(0, 3);
      if (buffer.length < 9 + length) break;
      const [type, flags] = [buffer[3]!, buffer[4]!];
      buffer = buffer.subarray(9 + length);
      if (type === SETTINGS && !(flags & 1)) socket.write(frame(SETTINGS, 1));
      if (type === PING && !(flags & 1)) events.push({ at: Date.now() - started, what: 'ping' });
      if (type === GOAWAY) events.push({ at: Date.now() - started, what: 'goaway' });
    }
  });
  socket.on('error', () => {});
  const closed = once(socket, 'close').then(() => Date.now() - started);
  socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  socket.write(frame(SETTINGS, 0));
  return { events, closed, destroy: () => socket.destroy() };
}

describe('gRPC connection bounds on the real server', () => {
  it('disconnects a peer that does not answer keepalive pings; keeps one that does', async () => {
    const deaf = deafPeer();
    // A well-behaved HTTP/2 client (Node answers pings) on another connection.
    const polite = http2Connect(`http://${gateway.grpcAddress}`);
    polite.on('error', () => {});
    let politeGoaway = false;
    polite.on('goaway', () => (politeGoaway = true));
    try {
      // Keepalive 1 s + timeout 1 s: the deaf peer goes after about 2 s.
      const closedAt = await Promise.race([deaf.closed, sleep(10_000).then(() => -1)]);
      expect(closedAt).toBeGreaterThan(1500);
      expect(deaf.events.map((e) => e.what)).toEqual(['ping', 'goaway']);
      await sleep(1500);
      expect(politeGoaway).toBe(false);
      expect(polite.closed || polite.destroyed).toBe(false);
    } finally {
      deaf.destroy();
      polite.destroy();
    }
  });

  it('answers a client that pings too often with GOAWAY ENHANCE_YOUR_CALM; others are served', async () => {
    const pinger = http2Connect(`http://${gateway.grpcAddress}`);
    pinger.on('error', () => {});
    const goaway = once(pinger, 'goaway') as Promise<[number, number, Buffer | undefined]>;
    try {
      await once(pinger, 'connect');
      // Every 20 ms against a minimum interval of 1 s, 2 strikes allowed.
      const pinging = (async () => {
        for (let i = 0; i < 50 && !pinger.closed && !pinger.destroyed; i++) {
          pinger.ping(() => {});
          await sleep(20);
        }
      })();
      const [code, , data] = await Promise.race([
        goaway,
        sleep(5_000).then(() => [-1, 0, undefined] as [number, number, undefined]),
      ]);
      expect(code).toBe(constants.NGHTTP2_ENHANCE_YOUR_CALM);
      expect(data?.toString()).toBe('too_many_pings');
      await pinging;
      // Another client is served meanwhile: a platform tool on a fresh connection.
      const other = createClient(gatewayv1.Gateway, gateway.grpcAddress);
      try {
        const answer = await other.callTool(
          { name: 'time_now', arguments: {} },
          { headers: { authorization: `Bearer ${await jwt({ sub: 'calm' })}` }, timeoutMs: 5_000 },
        );
        expect(answer.isError).toBe(false);
      } finally {
        other.close();
      }
    } finally {
      pinger.destroy();
    }
  });

  it('carries at most max_concurrent_streams calls per connection; the next one waits', async () => {
    const client = createClient(gatewayv1.Gateway, gateway.grpcAddress);
    const headers = { authorization: `Bearer ${await jwt({ sub: 'streams' })}` };
    const controllers = [new AbortController(), new AbortController()];
    const streams = controllers.map((controller) => {
      const requests = new AsyncQueue<never>();
      const iterator = client.chat(requests, { headers, signal: controller.signal });
      return (async () => {
        try {
          for await (const _ of iterator) void _;
        } catch {
          // ended by the test
        }
      })();
    });
    try {
      // The server advertises its limit in SETTINGS.
      const probe = http2Connect(`http://${gateway.grpcAddress}`);
      probe.on('error', () => {});
      await once(probe, 'remoteSettings');
      expect(probe.remoteSettings.maxConcurrentStreams).toBe(2);
      probe.destroy();

      await sleep(500); // both chat streams are open on the one connection
      let settled = false;
      const third = client
        .listTools({}, { headers, timeoutMs: 20_000 })
        .catch((error: unknown) => error)
        .finally(() => (settled = true));
      await sleep(1500);
      expect(settled).toBe(false); // waiting for a stream, not refused, not served
      controllers[0]!.abort();
      await Promise.race([third, sleep(10_000)]);
      expect(settled).toBe(true); // served once a stream was free
    } finally {
      for (const controller of controllers) controller.abort();
      await Promise.all(streams);
      client.close();
    }
  });
});
