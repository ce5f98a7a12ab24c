// The web chat: speaks the JSON form of the WebSocket envelope (websocket.proto) on /ws.
// No build step and no dependencies: this file is served as it is.
const chatId = 'chat';
const $ = (id) => document.getElementById(id);
const log = $('log');
const status = $('status');
const message = $('message');
const sendButton = $('send');
const cancelButton = $('cancel');

let socket;
let turn; // { id, answer: HTMLElement, tools: Map<callId, HTMLElement> }
let turns = 0;

function setStatus(text) {
  status.textContent = text;
}

function add(kind, text) {
  const item = document.createElement('li');
  item.className = kind;
  item.dataset.kind = kind;
  item.textContent = text;
  log.append(item);
  item.scrollIntoView({ block: 'end' });
  return item;
}

function setBusy(busy) {
  cancelButton.disabled = !busy;
  sendButton.disabled = busy;
}

function connect(token) {
  socket?.close(1000, 'reconnecting');
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (token) url.searchParams.set('access_token', token);
  setStatus('Connecting…');
  const ws = new WebSocket(url);
  socket = ws;
  ws.addEventListener('open', () => {
    // Any first frame opens the session (public when no token was given): a ping will do.
    ws.send(JSON.stringify({ id: 'hello', ping: { nonce: '1' } }));
  });
  ws.addEventListener('message', (event) => onFrame(JSON.parse(event.data)));
  ws.addEventListener('close', (event) => {
    if (socket !== ws) return;
    setStatus(`Disconnected (${event.code}${event.reason ? `: ${event.reason}` : ''}).`);
    endTurn();
  });
}

function onFrame(frame) {
  if (frame.authenticated) {
    const { userId, tier } = frame.authenticated;
    setStatus(`Connected as ${userId} (${tier}).`);
  } else if (frame.chat) {
    onChat(frame.chat);
  } else if (frame.error) {
    showError(frame.error);
    if (frame.id === chatId) endTurn();
  }
}

function onChat(event) {
  const { turnId } = event;
  if (event.error) {
    showError(event.error);
    if (turn?.id === turnId) endTurn();
    return;
  }
  if (!turn || turn.id !== turnId) return;
  if (event.started) {
    turn.answer.dataset.model = event.started.model;
  } else if (event.delta) {
    turn.text += event.delta.text;
    turn.answer.textContent = turn.text;
  } else if (event.toolCallStarted) {
    const call = event.toolCallStarted;
    const item = add('tool', `Tool ${call.name} ${JSON.stringify(call.arguments ?? {})}: running…`);
    item.dataset.state = 'running';
    turn.tools.set(call.callId, item);
    turn.answer.before(item);
  } else if (event.toolCallFinished) {
    const done = event.toolCallFinished;
    const item = turn.tools.get(done.callId) ?? add('tool', `Tool ${done.name}`);
    const failed = done.result?.isError === true;
    item.dataset.state = failed ? 'failed' : 'done';
    item.textContent = `Tool ${done.name}: ${failed ? 'failed' : 'done'} in ${done.durationMs ?? 0} ms\n${summary(done.result)}`;
  } else if (event.final) {
    turn.answer.textContent = event.final.text || turn.text || '(no answer)';
    turn.answer.dataset.state = event.final.cancelled ? 'cancelled' : 'done';
    if (event.final.cancelled) turn.answer.append(' [stopped]');
    endTurn();
  }
}

function summary(result) {
  const text = (result?.content ?? [])
    .map((part) => part.text ?? (part.resource ? part.resource.text : '[binary]'))
    .join('\n');
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

function showError(error) {
  const code = String(error.code ?? 'ERROR').replace(/^ERROR_CODE_/, '');
  add('error', `Error (${code}): ${error.message ?? ''}`).setAttribute('role', 'alert');
}

function endTurn() {
  turn = undefined;
  setBusy(false);
}

function send() {
  const text = message.value.trim();
  if (!text || turn || socket?.readyState !== WebSocket.OPEN) return;
  const id = `t${++turns}`;
  add('user', text);
  const answer = add('assistant', '');
  answer.dataset.state = 'streaming';
  turn = { id, answer, text: '', tools: new Map() };
  setBusy(true);
  socket.send(JSON.stringify({ id: chatId, chat: { message: { text, turnId: id } } }));
  message.value = '';
}

function cancel() {
  if (!turn) return;
  socket.send(JSON.stringify({ id: chatId, chat: { cancel: { turnId: turn.id } } }));
}

$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  send();
});
cancelButton.addEventListener('click', cancel);
message.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    send();
  } else if (event.key === 'Escape') {
    cancel();
  }
});
$('auth').addEventListener('submit', (event) => {
  event.preventDefault();
  connect($('token').value.trim());
});

connect(new URLSearchParams(location.search).get('access_token') ?? '');
message.focus();
