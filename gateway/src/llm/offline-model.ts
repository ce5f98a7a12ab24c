// The offline model: answers when no LLM endpoint is configured, deterministically, so the
// whole stack works (and is testable) on one machine with no network. It understands plain
// requests (offline-requests.ts: "quote AAPL", "How is AAPL doing?", "chart MSFT 1h", "my
// indicators", "backtest <strategy> on AAPL", ...), `/tools` (or "list tools"), `/call <tool>
// <json>` — real tool calls through the loop, reported to the client like any other — and
// `/help`. It sums a tool's result up in a sentence (the client shows the result itself), and
// says plainly what it cannot do for anything else.
import { WarmgateError } from '@warmgate/proto';
import type {
  Model,
  ModelEvent,
  ModelMessage,
  ModelRequest,
  ModelTool,
} from '../core/turn/index.js';
import { candlesFromText, parsePlainRequest } from './offline-requests.js';

/** Characters per streamed delta: small, so clients see streaming even offline. */
const deltaChars = 24;
/** Characters of a tool result repeated back to the user (the client shows it in full). */
const summaryChars = 400;

export const offlineModelName = 'offline';

export function createOfflineModel(): Model {
  return {
    name: offlineModelName,
    async *stream(request) {
      for (const event of answer(request)) {
        // A macrotask between deltas: the client sees tokens arrive, and a cancel gets in.
        await new Promise((resolve) => setImmediate(resolve));
        if (request.signal.aborted) throw WarmgateError.from(request.signal.reason);
        yield event;
      }
    },
  };
}

function answer(request: ModelRequest): ModelEvent[] {
  const last = request.messages.at(-1);
  if (last?.role === 'tool') return followUp(request.messages);
  const input = last?.role === 'user' ? last.content.trim() : '';
  const command = /^\/call\s+(\S+)\s*([\s\S]*)$/.exec(input);
  if (command) {
    const [, name, json] = command;
    return [
      { type: 'tool_call', call: { id: 'offline-call-1', name: name!, arguments: json!.trim() } },
    ];
  }
  if (/^(\/tools|list tools)$/i.test(input)) return text(listTools(request.tools));
  if (/^(\/help|help)$/i.test(input)) return text(help());
  const plain = parsePlainRequest(input);
  if (plain) return [call('offline-call-1', plain.tool, plain.args)];
  return text(
    `No language model is configured on this gateway, so I cannot answer that. I understand plain requests like these:\n\n${help()}`,
  );
}

function call(id: string, name: string, args: Record<string, unknown>): ModelEvent {
  return { type: 'tool_call', call: { id, name, arguments: JSON.stringify(args) } };
}

/** After a tool round: the next step of a backtest, or a short summary of the results. */
function followUp(messages: readonly ModelMessage[]): ModelEvent[] {
  const user = messages.findLast((m) => m.role === 'user');
  const plain = user ? parsePlainRequest(user.content) : undefined;
  const last = messages.at(-1);
  if (plain?.backtest && last?.role === 'tool') {
    const name = findCall(messages, last.toolCallId);
    if (name === 'market_candles' && !last.content.startsWith('Error:')) {
      const candles = candlesFromText(last.content);
      if (candles.length === 0) return text('The candles could not be read, so no backtest ran.');
      return [
        call('offline-call-2', 'strategy_backtest', {
          name: plain.backtest.strategy,
          candles,
          include_equity_curve: true,
        }),
      ];
    }
  }
  return text(summarise(messages));
}

function help(): string {
  return [
    '- **quote AAPL** (or "How is AAPL doing?") — the latest price',
    '- **chart MSFT 1h** — candles (timeframes 1m 5m 15m 1h 4h 1d)',
    '- **search apple** — find symbols',
    '- **my indicators**, **my strategies**, **my workspace**, **my profile**',
    '- **backtest ema-cross on AAPL** — run your saved strategy (here ema-cross) over recent candles',
    '- `/tools` lists every tool; `/call <tool> <json arguments>` runs one, e.g.',
    '  `/call market_quote {"symbol":"AAPL"}`',
    '',
    'To talk to a real model, start the gateway with WARMGATE_LLM_BASE_URL (any',
    'OpenAI-compatible endpoint, e.g. https://api.openai.com/v1), WARMGATE_LLM_API_KEY and',
    'WARMGATE_LLM_MODEL set.',
  ].join('\n');
}

function listTools(tools: readonly ModelTool[]): string {
  if (tools.length === 0) return 'No tools are available to this session.';
  const lines = tools.map((tool) => `- ${tool.name}: ${firstLine(tool.description)}`);
  return `${tools.length} tools are available:\n${lines.join('\n')}\n\nRun one with /call <tool> <json arguments>.`;
}

/** Sums up the results of the tool calls of the last assistant message, one line each. */
function summarise(messages: readonly ModelMessage[]): string {
  const lines: string[] = [];
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]!;
    if (message.role !== 'tool') break;
    const name = findCall(messages, message.toolCallId) ?? 'call';
    if (message.content.startsWith('Error:')) {
      lines.unshift(`Tool ${name} failed: ${cut(message.content.slice(7).trim())}`);
    } else {
      lines.unshift(`Tool ${name} returned: ${describe(name, message.content)}`);
    }
  }
  return lines.join('\n\n');
}

/** One readable sentence about a result (platform tools start with one; agent tools are JSON). */
function describe(name: string, content: string): string {
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch {
    // Platform tools open with a sentence; candles then say how their table is laid out.
    return cut(firstLine(content).replace(/, oldest first, as \[[^\]]*\]/, ''));
  }
  if (!data || typeof data !== 'object') return cut(content);
  const record = data as Record<string, unknown>;
  const names = (list: unknown) =>
    Array.isArray(list)
      ? list.map((item) => (item as { name?: string }).name ?? '?').join(', ') || 'none'
      : 'none';
  if (name === 'indicator_list') {
    const saved = Array.isArray(record.saved) ? record.saved.length : 0;
    return `${saved} saved indicator(s): ${names(record.saved)}.`;
  }
  if (name === 'strategy_list') {
    const count = Array.isArray(record.strategies) ? record.strategies.length : 0;
    return `${count} saved strateg${count === 1 ? 'y' : 'ies'}: ${names(record.strategies)}.`;
  }
  if (name === 'strategy_backtest' && typeof record.pnlPct === 'number') {
    const pct = (value: unknown) => `${Number(value).toFixed(2)} %`;
    return `${String(record.tradeCount)} trade(s), PnL ${pct(record.pnlPct)}, max drawdown ${pct(record.maxDrawdownPct)}, win rate ${pct(Number(record.winRate) * 100)}.`;
  }
  if (name === 'workspace_get' && typeof record.symbol === 'string') {
    const count = Array.isArray(record.indicators) ? record.indicators.length : 0;
    return `chart ${record.symbol} ${String(record.timeframe)} with ${count} indicator(s).`;
  }
  return cut(JSON.stringify(data));
}

function cut(value: string): string {
  return value.length > summaryChars ? `${value.slice(0, summaryChars)} [... cut]` : value;
}

function findCall(messages: readonly ModelMessage[], id: string): string | undefined {
  for (const message of messages) {
    if (message.role !== 'assistant') continue;
    const call = message.toolCalls.find((c) => c.id === id);
    if (call) return call.name;
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

/** Splits text into small deltas on word boundaries where it can. */
function text(value: string): ModelEvent[] {
  const out: ModelEvent[] = [];
  let rest = value;
  while (rest.length > 0) {
    let cut = rest.length <= deltaChars ? rest.length : rest.lastIndexOf(' ', deltaChars) + 1;
    if (cut <= 0) cut = Math.min(deltaChars, rest.length);
    out.push({ type: 'text', text: rest.slice(0, cut) });
    rest = rest.slice(cut);
  }
  return out;
}
