// A WebSocket to the gateway for fuzzing: sends anything (text or binary), collects every
// frame the server sends, and fences each case with a ping so a case's answers are never
// confused with the next case's.
import { create, fromBinary, fromJsonString, toBinary, toJsonString } from '@bufbuild/protobuf';
import { gatewayv1 } from '@warmgate/proto';

export class FuzzSocket {
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly frames: gatewayv1.ServerFrame[] = [];
  /** Server frames that did not decode (with the reason), since the last exchange. */
  readonly undecodable: string[] = [];
  private wake: (() => void) | undefined;
  private isClosed = false;
  private nonce = 0n;

  private constructor(private readonly socket: WebSocket) {
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('message', (event) => {
      const data: unknown = event.data;
      try {
        this.frames.push(
          typeof data === 'string'
            ? fromJsonString(gatewayv1.ServerFrameSchema, data)
            : fromBinary(gatewayv1.ServerFrameSchema, new Uint8Array(data as ArrayBuffer)),
        );
      } catch (error) {
        // A frame a strict protobuf client cannot read is a finding of its own.
        this.undecodable.push(`${(error as Error).message}: ${String(data).slice(0, 200)}`);
      }
      this.wake?.();
    });
    this.closed = new Promise((resolve) =>
      socket.addEventListener('close', (event) => {
        this.isClosed = true;
        this.wake?.();
        resolve({ code: event.code, reason: event.reason });
      }),
    );
  }

  /** Opens an authenticated socket and consumes the `authenticated` frame. */
  static async open(baseUrl: string, token: string): Promise<FuzzSocket> {
    const url = new URL('/ws', baseUrl.replace(/^http/, 'ws'));
    const socket = new FuzzSocket(
      new WebSocket(url, { headers: { authorization: `Bearer ${token}` } } as never),
    );
    await new Promise<void>((resolve, reject) => {
      socket.socket.addEventListener('open', () => resolve(), { once: true });
      socket.socket.addEventListener('error', () => reject(new Error('cannot connect')), {
        once: true,
      });
    });
    const first = await socket.until((frames) => frames.length > 0, 5_000);
    if (first[0]?.kind.case !== 'authenticated') {
      throw new Error(
        `expected authenticated, got ${toJsonString(gatewayv1.ServerFrameSchema, first[0]!)}`,
      );
    }
    socket.frames.length = 0;
    return socket;
  }

  get open(): boolean {
    return !this.isClosed;
  }

  /**
   * Sends one case, then a ping fence (in the form the case used, so the server keeps
   * answering in that form); resolves with every frame that arrived before the fence's pong
   * and, when `awaitId` is set, before the answer with that id. Rejects after `timeoutMs`.
   */
  async exchange(
    data: string | Uint8Array,
    awaitId: string | undefined,
    timeoutMs = 5_000,
  ): Promise<gatewayv1.ServerFrame[]> {
    const nonce = ++this.nonce;
    this.socket.send(data);
    const fence = create(gatewayv1.ClientFrameSchema, {
      id: 'fence',
      kind: { case: 'ping', value: { nonce } },
    });
    if (typeof data === 'string')
      this.socket.send(toJsonString(gatewayv1.ClientFrameSchema, fence));
    else this.socket.send(toBinaryFrame(fence));
    const isFence = (f: gatewayv1.ServerFrame) =>
      f.id === 'fence' && f.kind.case === 'pong' && f.kind.value.nonce === nonce;
    const frames = await this.until(
      (all) =>
        all.some(isFence) &&
        (awaitId === undefined || all.some((f) => f.id === awaitId && !isFence(f))),
      timeoutMs,
    );
    this.frames.length = 0;
    return frames.filter((f) => !isFence(f));
  }

  close(): Promise<unknown> {
    if (!this.isClosed) this.socket.close(1000, 'done');
    return this.closed;
  }

  private async until(
    done: (frames: gatewayv1.ServerFrame[]) => boolean,
    timeoutMs: number,
  ): Promise<gatewayv1.ServerFrame[]> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.frames)) {
      if (this.isClosed) return [...this.frames];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no complete answer within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return [...this.frames];
  }
}

function toBinaryFrame(frame: gatewayv1.ClientFrame): Uint8Array {
  return toBinary(gatewayv1.ClientFrameSchema, frame);
}
