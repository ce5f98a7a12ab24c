// The WebSocket to the gateway (/ws, the JSON form of websocket.proto's envelope). Signs in
// with an `authenticate` frame (never a token in the URL), reconnects on its own with
// exponential backoff and jitter, and matches replies to requests by frame id.
const retryableCodes = new Set([
  'UNAVAILABLE',
  'RESOURCE_EXHAUSTED',
  'DEADLINE_EXCEEDED',
  'ABORTED',
  'UNKNOWN',
  'INTERNAL',
]);
/** Close codes after which reconnecting cannot help until the user acts (bad token). */
const finalCloseCodes = new Set([1008]);

export function errorCode(error) {
  return String(error?.code ?? 'UNKNOWN').replace(/^ERROR_CODE_/, '');
}

export function isRetryable(error) {
  return retryableCodes.has(errorCode(error));
}

/**
 * @param {{
 *   onState: (state: { phase: string, text: string, session?: object }) => void,
 *   onChat: (event: object) => void,
 *   onError: (error: object) => void,
 * }} handlers
 */
export function createConnection(handlers) {
  let socket;
  let token = '';
  let attempt = 0;
  let timer;
  let nextId = 0;
  let session;
  const pending = new Map();
  const waiters = [];

  function setState(phase, text) {
    handlers.onState({ phase, text, session });
  }

  function open() {
    clearTimeout(timer);
    const url = new URL('/ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = '';
    setState('connecting', attempt ? `Reconnecting (attempt ${attempt + 1})…` : 'Connecting…');
    const ws = new WebSocket(url);
    socket = ws;
    ws.addEventListener('open', () => {
      if (socket !== ws) return;
      // The first frame opens the session: `authenticate` signs in; anything else is public.
      if (token) ws.send(JSON.stringify({ id: 'auth', authenticate: { token } }));
      else ws.send(JSON.stringify({ id: 'hello', ping: { nonce: '1' } }));
    });
    ws.addEventListener('message', (event) => {
      if (socket === ws) onFrame(JSON.parse(event.data));
    });
    ws.addEventListener('close', (event) => {
      if (socket !== ws) return;
      socket = undefined;
      session = undefined;
      failPending();
      handlers.onChat({ closed: true });
      if (finalCloseCodes.has(event.code)) {
        setState('failed', `Disconnected (${event.code}: ${event.reason || 'refused'}).`);
        return;
      }
      // 0.5 s, 1 s, 2 s … up to 15 s, each ±25 %.
      const delay = Math.min(15_000, 500 * 2 ** attempt) * (0.75 + Math.random() / 2);
      attempt += 1;
      setState('offline', `Disconnected; retrying in ${Math.ceil(delay / 1000)} s…`);
      timer = setTimeout(open, delay);
    });
  }

  function failPending() {
    for (const [, request] of pending) {
      request.reject({ code: 'UNAVAILABLE', message: 'the connection closed' });
    }
    pending.clear();
  }

  function ready(frame) {
    attempt = 0;
    session = frame;
    setState('online', `Connected as ${frame.userId} (${frame.tier || 'public'}).`);
    for (const resolve of waiters.splice(0)) resolve();
  }

  function onFrame(frame) {
    if (frame.authenticated) return ready(frame.authenticated);
    if (frame.chat) return handlers.onChat(frame.chat);
    const request = pending.get(frame.id);
    if (request) {
      pending.delete(frame.id);
      if (frame.error) request.reject(frame.error);
      else request.resolve(frame);
      return;
    }
    if (frame.error) handlers.onError(frame.error, frame.id);
  }

  function request(body) {
    if (!session) return Promise.reject({ code: 'UNAVAILABLE', message: 'not connected' });
    const id = `r${++nextId}`;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, ...body }));
    });
  }

  return {
    /** (Re)connects, signed in with `value` (empty: public session). */
    signIn(value) {
      token = value;
      attempt = 0;
      const old = socket;
      socket = undefined;
      session = undefined;
      failPending();
      old?.close(1000, 'signing in again');
      open();
    },
    get session() {
      return session;
    },
    /** Resolves once a session is open. */
    whenReady() {
      return session ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    },
    sendChat(chat) {
      if (!session) return false;
      socket.send(JSON.stringify({ id: 'chat', chat }));
      return true;
    },
    async callTool(name, args) {
      const frame = await request({ callTool: { name, arguments: args } });
      const result = frame.callTool;
      if (result.isError) {
        const text = (result.content ?? []).map((part) => part.text ?? '').join('\n');
        throw { code: 'TOOL_ERROR', message: text || `${name} failed` };
      }
      return result.structuredContent ?? JSON.parse(result.content?.[0]?.text ?? 'null');
    },
    async readJson(uri) {
      const frame = await request({ readResource: { uri } });
      return JSON.parse(frame.readResource.contents?.[0]?.text ?? 'null');
    },
  };
}
