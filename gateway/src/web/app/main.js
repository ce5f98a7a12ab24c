// The web chat: conversation (streamed, Markdown, tool cards), chart panel (the workspace's
// symbol, timeframe and indicators), workspace panel (profile, indicators, strategies,
// backtests). Talks to the gateway over one WebSocket (connection.js).
import './chat.css';
import { drawCandles, drawLine } from './charts.js';
import { createConnection, errorCode, isRetryable } from './connection.js';
import { loadConversation, saveConversation } from './conversation-store.js';
import { el, round2, table } from './dom.js';
import { renderMarkdown } from './markdown.js';
import { finishToolCard, toolCard } from './tool-cards.js';

const $ = (id) => document.getElementById(id);
const log = $('log');
const message = $('message');
const tokenKey = 'warmgate.token';

/** What the conversation shows, as stored (see conversation-store.js). */
let entries = loadConversation();
/** The turn in flight: { id, text, entry, answer, tools: Map<callId, { card, entry }> }. */
let turn;
let lastUserText = '';
let chartView = { symbol: '', timeframe: '1h', indicators: [] };
/** The user the chart and workspace panel show; a different user starts from their workspace. */
let shownUser;

const connection = createConnection({
  onState({ phase, text }) {
    const status = $('status');
    status.textContent = text;
    status.dataset.phase = phase;
    $('send').disabled = phase !== 'online' || Boolean(turn);
    if (phase === 'online') refreshWorkspace();
  },
  onChat,
  onError(error) {
    showError(error, false);
    if (turn) endTurn('failed');
  },
});

// ---- conversation ----------------------------------------------------------------------

function scrollToEnd(node) {
  node.scrollIntoView({ block: 'end' });
}

function addItem(kind, ...children) {
  const item = el('li', { class: kind, 'data-kind': kind }, ...children);
  log.append(item);
  scrollToEnd(item);
  return item;
}

function renderEntry(entry) {
  if (entry.kind === 'user') return addItem('user', el('p', { text: entry.text }));
  if (entry.kind === 'assistant') {
    const body = el('div', { class: 'markdown' });
    renderMarkdown(body, entry.text || (entry.state === 'streaming' ? '' : '(no answer)'));
    const item = addItem('assistant', body);
    item.dataset.state = entry.state === 'streaming' ? 'interrupted' : entry.state;
    return item;
  }
  if (entry.kind === 'tool') {
    const card = toolCard({ name: entry.name, arguments: entry.arguments });
    if (entry.done) finishToolCard(card, entry.done, entry.arguments);
    else card.querySelector('.tool-status').textContent = 'interrupted';
    return addItem('tool-item', card);
  }
  if (entry.kind === 'error') return errorItem(entry, false);
  return undefined;
}

function errorItem(entry, retry) {
  const item = addItem(
    'error',
    el('p', { text: `Error (${entry.code}): ${entry.message}` }),
    retry && entry.retryable
      ? el('button', {
          type: 'button',
          class: 'retry',
          text: 'Retry',
          onclick: (event) => {
            event.currentTarget.remove();
            send(lastUserText);
          },
        })
      : undefined,
  );
  item.setAttribute('role', 'alert');
  return item;
}

function showError(error, retry = true) {
  const entry = {
    kind: 'error',
    code: errorCode(error),
    message: error.message ?? '',
    retryable: isRetryable(error),
  };
  entries.push(entry);
  saveConversation(entries);
  errorItem(entry, retry);
}

function onChat(event) {
  if (event.closed) {
    if (turn) {
      showError({ code: 'UNAVAILABLE', message: 'the connection dropped during the answer' });
      endTurn('interrupted');
    }
    return;
  }
  if (!turn || event.turnId !== turn.id) return;
  if (event.error) {
    showError(event.error);
    return endTurn('failed');
  }
  if (event.started) {
    turn.answer.dataset.model = event.started.model;
  } else if (event.delta) {
    turn.entry.text += event.delta.text;
    renderMarkdown(turn.body, turn.entry.text);
    scrollToEnd(turn.answer);
  } else if (event.toolCallStarted) {
    const call = event.toolCallStarted;
    const entry = { kind: 'tool', name: call.name, arguments: call.arguments ?? {} };
    entries.splice(entries.indexOf(turn.entry), 0, entry);
    const card = toolCard({ name: call.name, arguments: entry.arguments });
    const item = el('li', { class: 'tool-item', 'data-kind': 'tool' }, card);
    turn.answer.before(item);
    turn.tools.set(call.callId, { card, entry });
  } else if (event.toolCallFinished) {
    const done = event.toolCallFinished;
    const tool = turn.tools.get(done.callId);
    if (!tool) return;
    tool.entry.done = done;
    finishToolCard(tool.card, done, tool.entry.arguments, {
      onCandles: (data) => showChart(data.symbol, data.timeframe, data.candles),
    });
    saveConversation(entries);
    // The assistant changed the workspace: the chart and the panel show the new state.
    if (
      !done.result?.isError &&
      /^(workspace_set_|indicator_save|indicator_delete|strategy_save|strategy_delete|profile_update)/.test(
        done.name,
      )
    ) {
      if (done.name.startsWith('workspace_set_')) chartView.symbol = '';
      refreshWorkspace();
    }
  } else if (event.final) {
    turn.entry.text = event.final.text || turn.entry.text;
    renderMarkdown(turn.body, turn.entry.text || '(no answer)');
    endTurn(event.final.cancelled ? 'cancelled' : 'done');
  }
}

function endTurn(state) {
  if (!turn) return;
  turn.entry.state = state;
  turn.answer.dataset.state = state;
  if (state === 'cancelled') turn.body.append(el('p', { class: 'muted', text: '[stopped]' }));
  saveConversation(entries);
  turn = undefined;
  $('cancel').disabled = true;
  $('send').disabled = !connection.session;
}

let turns = 0;
function send(text) {
  if (!text || turn || !connection.session) return;
  lastUserText = text;
  const user = { kind: 'user', text };
  entries.push(user);
  renderEntry(user);
  const entry = { kind: 'assistant', text: '', state: 'streaming' };
  entries.push(entry);
  const body = el('div', { class: 'markdown' });
  const answer = addItem('assistant', body);
  answer.dataset.state = 'streaming';
  turn = { id: `t${Date.now().toString(36)}${++turns}`, entry, answer, body, tools: new Map() };
  saveConversation(entries);
  $('send').disabled = true;
  $('cancel').disabled = false;
  connection.sendChat({ message: { text, turnId: turn.id } });
}

function cancel() {
  if (turn) connection.sendChat({ cancel: { turnId: turn.id } });
}

// ---- chart panel -----------------------------------------------------------------------

/** Draws `symbol`; when it has no data and a `fallback` is given, draws that instead. */
async function showChart(symbol, timeframe, candles, fallback) {
  const caption = $('chart-caption');
  chartView = { ...chartView, symbol, timeframe };
  try {
    const rows =
      candles ??
      (await connection.callTool('market_candles', { symbol, timeframe, limit: 200 })).candles;
    const overlays = [];
    for (const { id, spec } of chartView.indicators) {
      try {
        const result = await connection.callTool('indicator_compute', { spec, candles: rows });
        overlays.push({ id, indicator: spec.indicator, outputs: result.outputs });
      } catch {
        // An indicator that cannot be computed is left out; the caption says which.
        overlays.push({ id, failed: true });
      }
    }
    drawCandles(
      $('chart'),
      rows,
      overlays.filter((o) => !o.failed),
    );
    $('chart').setAttribute('aria-label', `${symbol} ${timeframe} candles with volume`);
    const names = overlays.map((o) => (o.failed ? `${o.id} (failed)` : o.id));
    caption.textContent = `${symbol} · ${timeframe}${names.length ? ` · ${names.join(', ')}` : ''}`;
    $('backtest-symbol').value = symbol;
  } catch (error) {
    if (fallback && fallback !== symbol && errorCode(error) !== 'UNAVAILABLE') {
      await showChart(fallback, timeframe);
      caption.textContent += ` (the workspace's ${symbol} has no market data here)`;
      return;
    }
    caption.textContent = `${symbol} · ${timeframe}: ${error.message ?? 'no data'}. Ask for another, e.g. "chart AAPL 1h".`;
  }
}

// ---- workspace panel -------------------------------------------------------------------

async function refreshWorkspace() {
  const user = connection.session?.userId;
  if (user !== shownUser) chartView = { symbol: '', timeframe: '1h', indicators: [] };
  shownUser = user;
  const state = await connection.readJson('context://workspace-state').catch(() => undefined);
  if (connection.session?.userId !== user) return;
  chartView.indicators = state?.indicators ?? [];
  if (chartView.symbol) showChart(chartView.symbol, chartView.timeframe);
  else showChart(state?.symbol || 'AAPL', state?.timeframe ?? '1h', undefined, 'AAPL');
  fill('profile', async () => {
    const profile = await connection.readJson('context://user-profile');
    const rows = Object.entries(profile ?? {}).map(([key, value]) => ({
      setting: key,
      value: Array.isArray(value)
        ? value.join(', ')
        : typeof value === 'object'
          ? JSON.stringify(value)
          : value,
    }));
    return table(rows, ['setting', 'value']);
  });
  fill('indicators', async () => {
    const { saved = [] } = await connection.callTool('indicator_list', {});
    if (!saved.length) return el('p', { text: 'None saved yet. Ask the assistant to save one.' });
    return el(
      'ul',
      {},
      ...saved.map((s) =>
        el('li', { text: `${s.name}${s.description ? ` — ${s.description}` : ''}` }),
      ),
    );
  });
  fill('strategies', async () => {
    const { strategies = [] } = await connection.callTool('strategy_list', {});
    const select = $('backtest-strategy');
    select.replaceChildren(...strategies.map((s) => el('option', { value: s.name, text: s.name })));
    $('backtest').hidden = strategies.length === 0;
    if (!strategies.length) return el('p', { text: 'None saved yet.' });
    return el(
      'ul',
      {},
      ...strategies.map((s) =>
        el('li', {
          text: `${s.name} (${s.side ?? '?'})${s.description ? ` — ${s.description}` : ''}`,
        }),
      ),
    );
  });
}

async function fill(id, produce) {
  const box = $(id);
  try {
    box.replaceChildren(await produce());
    box.classList.remove('muted');
  } catch (error) {
    box.textContent = `Not available: ${error.message ?? errorCode(error)}`;
    box.classList.add('muted');
  }
}

async function runBacktest() {
  const out = $('backtest-result');
  const name = $('backtest-strategy').value;
  const symbol = $('backtest-symbol').value.trim().toUpperCase();
  if (!name || !symbol) return;
  out.replaceChildren(el('p', { class: 'muted', text: `Backtesting ${name} on ${symbol}…` }));
  try {
    const timeframe = chartView.timeframe || '1h';
    const { candles } = await connection.callTool('market_candles', {
      symbol,
      timeframe,
      limit: 500,
    });
    const report = await connection.callTool('strategy_backtest', {
      name,
      candles,
      include_equity_curve: true,
    });
    const chart = el('div', {
      class: 'chart small',
      role: 'img',
      'aria-label': `Equity curve of ${name} on ${symbol}`,
    });
    out.replaceChildren(
      table(
        [
          {
            trades: report.tradeCount,
            'PnL %': round2(report.pnlPct),
            'max DD %': round2(report.maxDrawdownPct),
            'win %': round2(report.winRate * 100),
          },
        ],
        undefined,
        `${name} on ${symbol} ${timeframe}, ${candles.length} candles`,
      ),
      chart,
    );
    drawLine(
      chart,
      candles.map((c) => c.time),
      report.equityCurve ?? [],
      'equity',
    );
  } catch (error) {
    out.replaceChildren(
      el('p', {
        class: 'error-text',
        text: `Backtest failed (${errorCode(error)}): ${error.message ?? ''}`,
      }),
    );
  }
}

// ---- wiring ----------------------------------------------------------------------------

$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = message.value.trim();
  if (!text || turn || !connection.session) return;
  message.value = '';
  send(text);
});
message.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    $('composer').requestSubmit();
  } else if (event.key === 'Escape') {
    cancel();
  }
});
$('cancel').addEventListener('click', cancel);
document.querySelector('.skip').addEventListener('click', (event) => {
  event.preventDefault();
  message.focus();
});
$('clear').addEventListener('click', () => {
  entries = [];
  saveConversation(entries);
  log.replaceChildren();
  message.focus();
});
$('auth').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('token').value.trim();
  // Kept for this tab only (reloads and reconnects), never in a URL.
  if (token) sessionStorage.setItem(tokenKey, token);
  else sessionStorage.removeItem(tokenKey);
  $('token').value = '';
  document.querySelector('.signin').open = false;
  connection.signIn(token);
});
$('signout').addEventListener('click', () => {
  sessionStorage.removeItem(tokenKey);
  connection.signIn('');
});
$('backtest').addEventListener('submit', (event) => {
  event.preventDefault();
  runBacktest();
});
$('refresh').addEventListener('click', () => refreshWorkspace());

for (const entry of entries) renderEntry(entry);
connection.signIn(sessionStorage.getItem(tokenKey) ?? '');
message.focus();
