// One WebSocket session, independent of uWebSockets.js (the server gives it a FrameSink):
// authentication, several requests in flight by id, chat streams, cancellation, and
// backpressure. Every failure of one request is an error frame for that id; only
// authentication failures and slow consumers end the socket.
import { errors, type gatewayv1, WarmgateError } from '@warmgate/proto';
import type { Principal } from '../../core/ports.js';
import { AsyncQueue } from '../../core/session/async-queue.js';
import type { SessionCore } from '../../core/session/session-core.js';
import { gatewayMetrics } from '../../telemetry/metrics.js';
import { inSpan } from '../../telemetry/tracer.js';
import { CloseCode, closeCodeFor, closeReason } from './close-codes.js';
import {
  decodeClientFrame,
  encodeServerFrame,
  salvageId,
  type ServerFrameInit,
} from './frame-codec.js';

/** What the connection needs from the socket. */
export interface FrameSink {
  send(data: string | Uint8Array, binary: boolean): void;
  bufferedAmount(): number;
  end(code: number, reason: string): void;
}

export interface ConnectionLimits {
  /** The largest frame served; a larger one gets an error frame and close 1009. */
  readonly maxFrameBytes: number;
  /** Buffered bytes past which the socket is closed (1013). Streams pause at half of it. */
  readonly maxBufferedBytes: number;
  readonly maxInflightPerSocket: number;
}

/** The token of the upgrade request, if it had one (none: decide on the first frame). */
/** What the upgrade left for the open socket: a token to verify, or a refusal (a cap) to send. */
export type UpgradeAuth = { token: string } | { error: WarmgateError } | undefined;

/** Half of a UTF-16 surrogate pair (String.prototype.toWellFormed is past our ES2023 lib). */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

interface Inflight {
  readonly controller: AbortController;
  readonly chat?: AsyncQueue<gatewayv1.ChatRequest>;
}

export class WsConnection {
  private principal: Principal | undefined;
  private authenticating: Promise<void> | undefined;
  private binary = false;
  private closed = false;
  // Created on first use: an idle socket should cost as little memory as possible.
  private inflight: Map<string, Inflight> | undefined;
  private drainWaiters: (() => void)[] | undefined;

  constructor(
    private readonly sink: FrameSink,
    private readonly core: SessionCore,
    private readonly limits: ConnectionLimits,
    private readonly upgrade: UpgradeAuth,
  ) {}

  /**
   * The socket is open: verify the upgrade request's token, then say `authenticated` (or close
   * 1008). Frames that arrive meanwhile wait for the answer, as they do behind a first
   * `authenticate` frame. Nothing is sent from inside uWebSockets.js's open handler.
   */
  opened(): void {
    if (!this.upgrade) return;
    if ('error' in this.upgrade) {
      const { error } = this.upgrade;
      this.authenticating = Promise.resolve().then(() => this.fail(error, ''));
      return;
    }
    const { token } = this.upgrade;
    this.authenticating = this.core.authenticate(token).then(
      (principal) => {
        if (!this.closed) this.accept(principal, '');
      },
      (error: unknown) => this.fail(WarmgateError.from(error), ''),
    );
  }

  receive(data: ArrayBuffer, isBinary: boolean): void {
    if (this.closed) return;
    this.binary = isBinary;
    if (data.byteLength > this.limits.maxFrameBytes) {
      const limit = this.limits.maxFrameBytes;
      const error = errors.invalidArgument(
        `frame too large: ${data.byteLength} bytes, the limit is ${limit}`,
      );
      return this.fail(error, '', false, CloseCode.messageTooBig);
    }
    let frame: gatewayv1.ClientFrame;
    try {
      frame = decodeClientFrame(data, isBinary);
    } catch (error) {
      this.sendError(salvageId(data, isBinary), error);
      return;
    }
    gatewayMetrics().messages.add(1, { transport: 'ws', kind: frame.kind.case ?? 'unknown' });
    if (this.principal) this.dispatch(frame);
    else if (this.authenticating) {
      this.authenticating = this.authenticating.then(() => this.dispatch(frame));
    } else this.authenticating = this.authenticateFirst(frame);
  }

  /** The socket's send buffer drained. */
  drained(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = undefined;
    waiters?.forEach((wake) => wake());
  }

  /** The socket closed, whoever closed it: stop everything it started. */
  closedBySocket(): void {
    if (this.closed && !this.inflight && !this.principal) return;
    this.closed = true;
    for (const entry of this.inflight?.values() ?? []) {
      entry.controller.abort(errors.cancelled('the socket closed'));
      entry.chat?.end();
    }
    this.inflight = undefined;
    this.drained();
    if (this.principal) this.core.endSession(this.principal);
    this.principal = undefined;
  }

  private async authenticateFirst(frame: gatewayv1.ClientFrame): Promise<void> {
    const token = frame.kind.case === 'authenticate' ? frame.kind.value.token : undefined;
    let principal: Principal;
    try {
      principal = await this.core.authenticate(token || undefined);
    } catch (error) {
      return this.fail(WarmgateError.from(error), frame.id);
    }
    if (this.closed) return;
    this.accept(principal, token === undefined ? '' : frame.id);
    if (frame.kind.case !== 'authenticate') this.dispatch(frame);
  }

  private accept(principal: Principal, id: string): void {
    this.principal = principal;
    const { sessionId, userId, tier, mode } = principal;
    this.send({ id, kind: { case: 'authenticated', value: { sessionId, userId, tier, mode } } });
  }

  private dispatch(frame: gatewayv1.ClientFrame): void {
    const principal = this.principal;
    if (this.closed || !principal) return;
    const { id, kind } = frame;
    switch (kind.case) {
      case 'authenticate':
        return this.sendError(
          id,
          errors.failedPrecondition('this socket is already authenticated'),
        );
      case 'ping':
        return this.send({ id, kind: { case: 'pong', value: { nonce: kind.value.nonce } } });
      case 'cancel':
        return this.cancel(id);
      case 'chat':
        return this.chat(id, principal, kind.value);
      case 'callTool':
        return this.unary('CallTool', id, async (signal) => ({
          case: 'callTool',
          value: await this.core.callTool(principal, kind.value, signal),
        }));
      case 'listTools':
        return this.unary('ListTools', id, async (signal) => ({
          case: 'listTools',
          value: await this.core.listTools(principal, signal),
        }));
      case 'readResource':
        return this.unary('ReadResource', id, async (signal) => ({
          case: 'readResource',
          value: await this.core.readResource(principal, kind.value, signal),
        }));
      default:
        return this.sendError(id, errors.invalidArgument('frame has no known kind'));
    }
  }

  private cancel(id: string): void {
    const entry = this.inflight?.get(id);
    if (!entry) return; // already finished: the client raced the answer
    entry.controller.abort(errors.cancelled('the client cancelled the request'));
    entry.chat?.end();
  }

  /** Registers a request; false (after an error frame) when the id is taken or at capacity. */
  private track(id: string, entry: Inflight): boolean {
    this.inflight ??= new Map();
    if (this.inflight.has(id)) {
      this.sendError(id, errors.invalidArgument(`request id "${id}" is already in flight`));
      return false;
    }
    if (this.inflight.size >= this.limits.maxInflightPerSocket) {
      const limit = this.limits.maxInflightPerSocket;
      this.sendError(
        id,
        errors.resourceExhausted(`too many requests in flight on this socket (limit ${limit})`),
      );
      return false;
    }
    this.inflight.set(id, entry);
    return true;
  }

  private untrack(id: string, entry: Inflight): void {
    if (this.inflight?.get(id) === entry) this.inflight.delete(id);
    if (this.inflight?.size === 0) this.inflight = undefined;
  }

  private unary(
    name: string,
    id: string,
    run: (signal: AbortSignal) => Promise<ServerFrameInit['kind']>,
  ): void {
    const entry: Inflight = { controller: new AbortController() };
    if (!this.track(id, entry)) return;
    inSpan(`ws/${name}`, { 'warmgate.transport': 'ws' }, () => run(entry.controller.signal))
      .then(
        (kind) => this.send({ id, kind }),
        (error: unknown) => this.sendError(id, error),
      )
      .finally(() => this.untrack(id, entry));
  }

  private chat(id: string, principal: Principal, request: gatewayv1.ChatRequest): void {
    const existing = this.inflight?.get(id);
    if (existing?.chat) return existing.chat.push(request);
    const entry: Inflight = { controller: new AbortController(), chat: new AsyncQueue() };
    if (!this.track(id, entry)) return;
    entry.chat?.push(request);
    void this.pumpChat(id, principal, entry).finally(() => this.untrack(id, entry));
  }

  private async pumpChat(id: string, principal: Principal, entry: Inflight): Promise<void> {
    const { signal } = entry.controller;
    try {
      for await (const event of this.core.chat(principal, entry.chat!, signal)) {
        this.send({ id, kind: { case: 'chat', value: event } });
        await this.writable();
      }
      if (signal.aborted) this.sendError(id, signal.reason);
    } catch (error) {
      this.sendError(id, signal.aborted ? signal.reason : error);
    }
  }

  /** Resolves when the socket can take more (half the buffer limit), or has closed. */
  private writable(): Promise<void> | undefined {
    if (this.closed || this.sink.bufferedAmount() <= this.limits.maxBufferedBytes / 2) return;
    return new Promise((resolve) => (this.drainWaiters ??= []).push(resolve));
  }

  private sendError(id: string, error: unknown): void {
    const { code, message, retryAfterMs = 0 } = WarmgateError.from(error);
    // Messages can quote client input (a JSON parser's complaint): cut a quoted surrogate pair
    // in half and a strict client could not decode the frame that explains its mistake.
    const readable = message.replace(loneSurrogate, '\uFFFD');
    this.send({ id, kind: { case: 'error', value: { code, message: readable, retryAfterMs } } });
  }

  private send(frame: ServerFrameInit): void {
    if (this.closed) return;
    this.sink.send(encodeServerFrame(frame, this.binary), this.binary);
    if (this.sink.bufferedAmount() > this.limits.maxBufferedBytes) {
      const limit = this.limits.maxBufferedBytes;
      this.fail(
        errors.resourceExhausted(`slow consumer: more than ${limit} bytes unread`),
        undefined,
      );
    }
  }

  /** Ends the connection: an error frame (unless the buffer is the problem), then the close. */
  private fail(
    error: WarmgateError,
    id: string | undefined,
    later = false,
    code = closeCodeFor(error.code),
  ): void {
    if (this.closed) return;
    if (id !== undefined) this.sendError(id, error);
    this.closed = true;
    const end = () => this.sink.end(code, closeReason(error));
    if (later) setImmediate(end);
    else end();
    this.closedBySocket();
  }
}
