// An anonymous flood of the gateway, for the abuse suite (gateway/test/security/) and
// `npm run bench -- abuse`: raw WebSockets that each ask for the tool list (so each wants a
// public container) and keep their socket open, plus anonymous gRPC connections (one channel
// each, never shared) that list tools in a loop. Loopback only: the sockets come from
// several 127.0.x.y source addresses, as a flood from many hosts would, each within the
// per-IP cap. Bounded in count and time; stop() closes everything it opened.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { codeName, gatewayv1, WarmgateError } from '@warmgate/proto';
import { createClient } from '@warmgate/proto/grpc';

export interface FloodOptions {
  readonly httpPort: number;
  readonly grpcAddress: string;
  readonly webSockets: number;
  readonly grpcConnections: number;
  /** Source addresses for the WebSockets, used in turn (all loopback). */
  readonly sourceAddresses: readonly string[];
  /** Pause between one gRPC connection's calls. */
  readonly grpcPauseMs?: number;
}

export interface FloodStats {
  /** WebSockets upgraded (101). */
  wsOpened: number;
  /** WebSockets that could not connect or upgrade. */
  wsFailed: number;
  /** Close codes the server sent, e.g. 1013 → count. */
  wsCloseCodes: Record<string, number>;
  /** gRPC calls by outcome (`OK` or a code name). */
  grpcOutcomes: Record<string, number>;
}

export interface Flood {
  readonly stats: FloodStats;
  /** Resolves when every WebSocket has been attempted. */
  readonly opened: Promise<void>;
  stop(): Promise<void>;
}

export const floodSourceAddresses = (count: number) =>
  Array.from({ length: count }, (_, i) => `127.0.${10 + Math.floor(i / 250)}.${(i % 250) + 1}`);

export function startFlood(options: FloodOptions): Flood {
  const stats: FloodStats = { wsOpened: 0, wsFailed: 0, wsCloseCodes: {}, grpcOutcomes: {} };
  const sockets = new Set<Socket>();
  let stopped = false;

  const openOne = async (i: number) => {
    const localAddress = options.sourceAddresses[i % options.sourceAddresses.length]!;
    try {
      const socket = await rawWebSocket(options.httpPort, localAddress, stats);
      if (stopped) {
        socket.destroy();
        return;
      }
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      stats.wsOpened++;
      socket.write(maskedTextFrame(JSON.stringify({ id: 'flood', listTools: {} })));
    } catch {
      stats.wsFailed++;
    }
  };
  // 25 handshakes at a time: a burst, without a SYN storm on a 2-core machine.
  const opened = (async () => {
    for (let i = 0; i < options.webSockets && !stopped; i += 25) {
      const batch = Array.from({ length: Math.min(25, options.webSockets - i) }, (_, k) => i + k);
      await Promise.all(batch.map(openOne));
    }
  })();

  const clients = Array.from({ length: options.grpcConnections }, () =>
    createClient(gatewayv1.Gateway, options.grpcAddress, {
      channelOptions: { 'grpc.use_local_subchannel_pool': 1 },
    }),
  );
  const count = (outcome: string) =>
    (stats.grpcOutcomes[outcome] = (stats.grpcOutcomes[outcome] ?? 0) + 1);
  const loops = clients.map(async (client) => {
    while (!stopped) {
      await client.listTools({}, { timeoutMs: 10_000 }).then(
        () => count('OK'),
        (error: unknown) => count(codeName(WarmgateError.from(error).code)),
      );
      await new Promise((resolve) => setTimeout(resolve, options.grpcPauseMs ?? 250));
    }
  });

  return {
    stats,
    opened,
    async stop() {
      stopped = true;
      await opened;
      await Promise.all(loops);
      for (const client of clients) client.close();
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
  };
}

/** A WebSocket from `localAddress`; resolves after the 101, records the server's close code. */
function rawWebSocket(port: number, localAddress: string, stats: FloodStats): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    socket.setTimeout(20_000, () => socket.destroy(new Error('timeout')));
    socket.once('error', reject);
    socket.once('connect', () =>
      socket.write(
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    let head = Buffer.alloc(0);
    let upgraded = false;
    socket.on('data', (chunk: Buffer) => {
      if (!upgraded) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!head.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 101')) {
          socket.destroy();
          return reject(new Error('no upgrade'));
        }
        upgraded = true;
        socket.setTimeout(0);
        resolve(socket);
        chunk = head.subarray(end + 4);
      }
      recordClose(chunk, stats);
    });
  });
}

/** Finds a server close frame (opcode 8, unmasked) at the start of a chunk and counts its code. */
function recordClose(chunk: Buffer, stats: FloodStats): void {
  for (let at = 0; at + 1 < chunk.length;) {
    const opcode = chunk[at]! & 0x0f;
    let length = chunk[at + 1]! & 0x7f;
    let offset = at + 2;
    if (length === 126) {
      length = chunk.readUInt16BE(offset);
      offset += 2;
    } else if (length === 127) return; // a large frame: not a close frame, stop scanning
    if (opcode === 8 && length >= 2 && offset + 2 <= chunk.length) {
      const code = String(chunk.readUInt16BE(offset));
      stats.wsCloseCodes[code] = (stats.wsCloseCodes[code] ?? 0) + 1;
    }
    at = offset + length;
  }
}

function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const header =
    payload.length < 126
      ? Buffer.from([0x81, 0x80 | payload.length])
      : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const body = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) body[i] = payload[i]! ^ mask[i % 4]!;
  return Buffer.concat([header, mask, body]);
}
