// A raw WebSocket client over a TCP socket, for what a polite client never does: stop
// reading, send frames byte by byte, send garbage.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawSocket {
  readonly socket: Socket;
  /** Sends one masked frame (opcode 1 = text, 2 = binary). */
  sendFrame(payload: Buffer, opcode?: number): boolean;
  destroy(): void;
}

/** Opens a WebSocket at `path` and resolves after the 101 response. */
export function rawWebSocket(port: number, path = '/ws'): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const key = randomBytes(16).toString('base64');
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (!head.startsWith('HTTP/1.1 101'))
        return reject(new Error(`no upgrade: ${head.split('\r\n')[0]}`));
      resolve({
        socket,
        sendFrame: (payload, opcode = 1) => socket.write(frame(payload, opcode)),
        destroy: () => socket.destroy(),
      });
    };
    socket.on('data', onData);
  });
}

function frame(payload: Buffer, opcode: number): Buffer {
  const mask = randomBytes(4);
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x80 | opcode, 0x80 | length])
      : length < 65536
        ? Buffer.from([0x80 | opcode, 0x80 | 126, length >> 8, length & 0xff])
        : (() => {
            const h = Buffer.alloc(10);
            h[0] = 0x80 | opcode;
            h[1] = 0x80 | 127;
            h.writeBigUInt64BE(BigInt(length), 2);
            return h;
          })();
  const masked = Buffer.alloc(length);
  for (let i = 0; i < length; i++) masked[i] = payload[i]! ^ mask[i % 4]!;
  return Buffer.concat([header, mask, masked]);
}
