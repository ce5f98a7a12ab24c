// A small promise-based client for the gateway's /ws envelope (websocket.proto as protobuf
// JSON text frames): requests are paired with answers by frame id; a chat keeps the id "chat"
// for the socket's lifetime, and a turn ends at its `final` or `error` event.
import { WebSocket } from 'k6/websockets';
import { setTimeout, clearTimeout } from 'k6/timers';
import { httpTarget } from './env.js';

/**
 * Opens /ws. `token` goes in the Authorization header when `via` is "header" (resolves once
 * open); otherwise the socket authenticates with a first `authenticate` frame (empty token =
 * public session) and resolves once the gateway answered `authenticated`.
 */
export function openSocket(token, { via = 'frame', tags = {}, timeoutMs = 30000 } = {}) {
  const headers = via === 'header' && token ? { Authorization: `Bearer ${token}` } : {};
  const ws = new WebSocket(`ws://${httpTarget}/ws`, null, { headers, tags });
  const socket = new Socket(ws, timeoutMs);
  return new Promise((resolve, reject) => {
    const failed = (why) => reject(new Error(`connect: ${why}`));
    ws.onerror = (event) => failed(event.error || 'socket error');
    ws.onclose = () => socket.closed('closed before authenticated', failed);
    ws.onopen = () => {
      socket.listen();
      // Authenticated in the upgrade request: the socket is ready as soon as it is open.
      if (via === 'header') return resolve(socket);
      socket
        .request('authenticate', { token: token || '' }, 'auth')
        .then((frame) => (frame.authenticated ? resolve(socket) : failed(describe(frame))))
        .catch((error) => failed(error.message));
    };
  });
}

class Socket {
  constructor(ws, timeoutMs) {
    this.ws = ws;
    this.timeoutMs = timeoutMs;
    this.waiting = new Map();
    this.sequence = 0;
    this.closeWaiters = [];
    this.isClosed = false;
  }

  listen() {
    this.ws.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      const waiter = this.waiting.get(frame.id || '');
      if (waiter) waiter.onFrame(frame);
    };
    this.ws.onerror = () => {};
    this.ws.onclose = () => this.closed('socket closed', () => {});
  }

  closed(why, onOpenFailure) {
    this.isClosed = true;
    for (const waiter of this.waiting.values()) waiter.fail(new Error(why));
    this.waiting.clear();
    for (const resolve of this.closeWaiters) resolve();
    this.closeWaiters = [];
    onOpenFailure(why);
  }

  /** Sends one frame and resolves with the first frame answering it. */
  request(kind, body, id = `r${++this.sequence}`) {
    return this.exchange(id, { id, [kind]: body }, (frame, done) => done(frame));
  }

  /** Runs one chat turn; resolves with what the client saw of it. */
  chat(text) {
    const started = Date.now();
    const turn = { toolResults: [], text: '', firstEventMs: undefined, error: undefined };
    return this.exchange('chat', { id: 'chat', chat: { message: { text } } }, (frame, done) => {
      if (turn.firstEventMs === undefined) turn.firstEventMs = Date.now() - started;
      const event = frame.chat;
      if (!event) return done({ ...turn, error: describe(frame) });
      if (event.toolCallFinished) turn.toolResults.push(event.toolCallFinished);
      if (event.final) return done({ ...turn, text: event.final.text || '' });
      if (event.error) return done({ ...turn, error: describe({ error: event.error }) });
    });
  }

  exchange(id, frame, onFrame) {
    if (this.isClosed) return Promise.reject(new Error('socket closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => finish(new Error(`no answer to ${id} in time`)),
        this.timeoutMs,
      );
      const finish = (error, value) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        if (error) reject(error);
        else resolve(value);
      };
      this.waiting.set(id, {
        onFrame: (answer) => onFrame(answer, (value) => finish(undefined, value)),
        fail: (error) => finish(error),
      });
      this.ws.send(JSON.stringify(frame));
    });
  }

  /** Closes the socket and resolves once it is closed. */
  close() {
    if (this.isClosed) return Promise.resolve();
    return new Promise((resolve) => {
      this.closeWaiters.push(resolve);
      this.ws.close();
    });
  }
}

/** A short text for an answer that was not what the caller wanted. */
export function describe(frame) {
  if (frame.error) return `${frame.error.code || 'ERROR'}: ${frame.error.message || ''}`;
  return `unexpected frame ${JSON.stringify(frame).slice(0, 200)}`;
}

/** Resolves after `ms` without blocking the VU's event loop (sockets keep answering pings). */
export function pause(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
