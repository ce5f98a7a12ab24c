// A small client of the gateway's WebSocket envelope for tests and benchmarks (Node's global
// WebSocket). JSON text frames by default, protobuf binary with `binary: true`.
import {
  create,
  fromBinary,
  fromJsonString,
  toBinary,
  toJsonString,
  type MessageInitShape,
} from '@bufbuild/protobuf';
import { ErrorCode, gatewayv1, WarmgateError } from '@warmgate/proto';

type ClientFrameInit = MessageInitShape<typeof gatewayv1.ClientFrameSchema>;

export interface WsClientOptions {
  /** Sent as `Authorization: Bearer` in the upgrade request (never in the URL). */
  readonly token?: string;
  readonly binary?: boolean;
}

export class WsClient {
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Frames nobody was waiting for (e.g. the `authenticated` frame), in order. */
  readonly unsolicited: gatewayv1.ServerFrame[] = [];
  private readonly listeners = new Map<string, (frame: gatewayv1.ServerFrame) => void>();
  private readonly socket: WebSocket;
  private failure: WarmgateError | undefined;
  private lastError: WarmgateError | undefined;

  private constructor(
    url: string,
    private readonly binary: boolean,
    token?: string,
  ) {
    // Node's WebSocket (undici) takes upgrade headers; browsers use the authenticate frame.
    this.socket = token
      ? new WebSocket(url, { headers: { authorization: `Bearer ${token}` } } as never)
      : new WebSocket(url);
    this.socket.binaryType = 'arraybuffer';
    this.socket.addEventListener('message', (event) => this.onMessage(event.data));
    this.closed = new Promise((resolve) => {
      this.socket.addEventListener('close', (event) => {
        this.failure ??=
          this.lastError ??
          new WarmgateError(ErrorCode.UNAVAILABLE, `socket closed (${event.code} ${event.reason})`);
        for (const listener of this.listeners.values()) listener(this.closedFrame());
        resolve({ code: event.code, reason: event.reason });
      });
    });
  }

  static async connect(baseUrl: string, options: WsClientOptions = {}): Promise<WsClient> {
    const url = new URL('/ws', baseUrl);
    const client = new WsClient(url.toString(), options.binary ?? false, options.token);
    await new Promise<void>((resolve, reject) => {
      client.socket.addEventListener('open', () => resolve(), { once: true });
      client.socket.addEventListener(
        'error',
        () => reject(new Error(`cannot connect to ${url.toString()}`)),
        {
          once: true,
        },
      );
    });
    return client;
  }

  send(frame: ClientFrameInit): void {
    const message = create(gatewayv1.ClientFrameSchema, frame);
    if (this.binary) this.socket.send(toBinary(gatewayv1.ClientFrameSchema, message));
    else this.socket.send(toJsonString(gatewayv1.ClientFrameSchema, message));
  }

  sendRaw(data: string | Uint8Array): void {
    this.socket.send(data);
  }

  /** Calls `onFrame` for every frame with this id until it returns true. */
  listen(id: string, onFrame: (frame: gatewayv1.ServerFrame) => boolean | void): void {
    this.listeners.set(id, (frame) => {
      if (onFrame(frame) === true) this.listeners.delete(id);
    });
  }

  /** Sends a request and resolves with the one frame answering it (an error frame rejects). */
  request(frame: ClientFrameInit & { id: string }): Promise<gatewayv1.ServerFrame> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.listen(frame.id, (answer) => {
        if (answer.kind.case === 'error') reject(toError(answer.kind.value));
        else resolve(answer);
        return true;
      });
      this.send(frame);
    });
  }

  /** The next frame with this id (or an unsolicited one for ''). */
  next(id: string, timeoutMs = 10_000): Promise<gatewayv1.ServerFrame> {
    if (id === '' && this.unsolicited.length > 0) return Promise.resolve(this.unsolicited.shift()!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no frame for "${id}" within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.listen(id, (frame) => {
        clearTimeout(timer);
        resolve(frame);
        return true;
      });
    });
  }

  close(): Promise<{ code: number; reason: string }> {
    if (
      this.socket.readyState === WebSocket.OPEN ||
      this.socket.readyState === WebSocket.CONNECTING
    ) {
      this.socket.close(1000, 'done');
    }
    return this.closed;
  }

  /** The connection-level failure (an id-less error frame or the close), once there is one. */
  get error(): WarmgateError | undefined {
    return this.failure;
  }

  private onMessage(data: unknown): void {
    const frame =
      typeof data === 'string'
        ? fromJsonString(gatewayv1.ServerFrameSchema, data)
        : fromBinary(gatewayv1.ServerFrameSchema, new Uint8Array(data as ArrayBuffer));
    // An id-less error is either about an unreadable frame or, just before the close, the
    // reason the connection ends: remember it as the likely cause of a close.
    if (frame.id === '' && frame.kind.case === 'error') this.lastError = toError(frame.kind.value);
    const listener = this.listeners.get(frame.id);
    if (listener) listener(frame);
    else this.unsolicited.push(frame);
  }

  private closedFrame(): gatewayv1.ServerFrame {
    const error = this.failure!;
    return create(gatewayv1.ServerFrameSchema, {
      kind: { case: 'error', value: { code: error.code, message: error.message } },
    });
  }
}

export function toError(error: {
  code: ErrorCode;
  message: string;
  retryAfterMs?: number;
}): WarmgateError {
  const retryAfterMs = error.retryAfterMs || undefined;
  return new WarmgateError(error.code, error.message, retryAfterMs ? { retryAfterMs } : undefined);
}
