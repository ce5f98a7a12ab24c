// A tool call as a collapsible card: a one-line summary, then a readable body — a table for
// lists, a chart for candles and backtest equity, the last values of an indicator — and the
// raw result last, collapsed.
import { drawCandles, drawLine } from './charts.js';
import { el, formatNumber, round2, table } from './dom.js';

export function toolCard(call) {
  const summary = el('summary', {}, el('span', { class: 'tool-name', text: call.name }));
  const status = el('span', { class: 'tool-status', text: 'running…' });
  summary.append(' ', status);
  const body = el('div', { class: 'tool-body' });
  const card = el('details', { class: 'tool', 'data-state': 'running' }, summary, body);
  if (call.arguments && Object.keys(call.arguments).length) {
    body.append(el('p', { class: 'muted', text: `Arguments: ${brief(call.arguments)}` }));
  }
  return card;
}

/** Fills a card once the call finished. `onChart(candles, meta)` gets candle results. */
export function finishToolCard(card, done, args, hooks = {}) {
  const result = done.result ?? {};
  const failed = result.isError === true;
  card.dataset.state = failed ? 'failed' : 'done';
  const text = (result.content ?? [])
    .map((part) => part.text ?? part.resource?.text ?? '')
    .join('\n');
  card.querySelector('.tool-status').textContent = failed
    ? `failed in ${done.durationMs ?? 0} ms`
    : `done in ${done.durationMs ?? 0} ms`;
  const body = card.querySelector('.tool-body');
  if (failed) {
    body.append(el('p', { class: 'error-text', text: text || 'The tool failed.' }));
    return;
  }
  const data = result.structuredContent ?? parseJson(text);
  const view = render(done.name, data, text, args, hooks);
  if (view) body.append(view);
  card.open = Boolean(view?.dataset?.open);
  body.append(
    el('details', { class: 'raw' }, el('summary', { text: 'Raw result' }), el('pre', { text })),
  );
}

function render(name, data, text, args, hooks) {
  if (!data || typeof data !== 'object') return el('p', { text: firstLine(text) });
  if (name === 'market_quote' && data.quote) {
    const q = data.quote;
    return open(
      table(
        [
          {
            symbol: q.symbol,
            last: q.last,
            bid: q.bid,
            ask: q.ask,
            'change 24 h %': q.changePercent,
          },
        ],
        undefined,
        `${q.symbol} in ${data.currency ?? ''}${data.generated ? ' (sample data)' : ''}`,
      ),
    );
  }
  if (name === 'market_candles' && Array.isArray(data.candles) && data.candles.length) {
    const box = el('div', {
      class: 'chart small',
      role: 'img',
      'aria-label': `${data.symbol} ${data.timeframe} candles`,
    });
    queueMicrotask(() => drawCandles(box, data.candles));
    hooks.onCandles?.(data);
    const last = data.candles.at(-1);
    return open(
      el(
        'div',
        {},
        el('p', {
          text: `${data.candles.length} ${data.timeframe} candles of ${data.symbol}; last close ${formatNumber(last.close)}.`,
        }),
        box,
      ),
    );
  }
  if (name === 'market_search_symbols' && Array.isArray(data.symbols)) {
    return open(table(data.symbols, ['symbol', 'name', 'kind', 'currency']));
  }
  if (name === 'indicator_list') {
    const saved = data.saved ?? [];
    return open(
      el(
        'div',
        {},
        saved.length
          ? table(saved.map((s) => ({ name: s.name, description: s.description, spec: s.spec })))
          : el('p', { text: 'No saved indicators yet.' }),
        el('p', {
          class: 'muted',
          text: `Built in: ${(data.builtin ?? []).map((b) => b.name ?? b.indicator).join(', ')}`,
        }),
      ),
    );
  }
  if (name === 'strategy_list') {
    const list = data.strategies ?? [];
    return open(list.length ? table(list) : el('p', { text: 'No saved strategies yet.' }));
  }
  if (name === 'indicator_compute' && data.outputs) {
    const rows = Object.entries(data.outputs).map(([output, values]) => ({
      output,
      last: values.at(-1),
      previous: values.at(-2),
      bars: values.length,
    }));
    return open(table(rows, undefined, `Warm-up: ${data.warmup} bars`));
  }
  if (name === 'strategy_backtest' && 'pnl' in data) {
    const summary = table([
      {
        trades: data.tradeCount,
        PnL: round2(data.pnl),
        'PnL %': round2(data.pnlPct),
        'max drawdown %': round2(data.maxDrawdownPct),
        'win rate %': round2(data.winRate * 100),
        'exposure %': round2(data.exposurePct),
      },
    ]);
    const box = el('div', { class: 'chart small', role: 'img', 'aria-label': 'Equity curve' });
    const times = (args?.candles ?? []).map((c) => c.time);
    if (data.equityCurve && times.length) {
      queueMicrotask(() => drawLine(box, times, data.equityCurve, 'equity'));
    }
    return open(el('div', {}, summary, data.equityCurve && times.length ? box : undefined));
  }
  const list = Object.values(data).find(
    (value) => Array.isArray(value) && value.length && typeof value[0] === 'object',
  );
  if (list) return open(table(list.slice(0, 50)));
  return el('p', { text: brief(data) });
}

function open(node) {
  node.dataset.open = 'true';
  return node;
}

function brief(value) {
  const text = JSON.stringify(value, (key, v) =>
    key === 'candles' && Array.isArray(v) ? `[${v.length} candles]` : v,
  );
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function firstLine(text) {
  return (text ?? '').split('\n', 1)[0];
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
