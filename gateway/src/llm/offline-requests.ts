// Plain requests the offline model understands without a language model: a few fixed phrasings
// mapped deterministically to tool calls ("quote AAPL", "How is AAPL doing?", "chart MSFT 1h",
// "my indicators", "my strategies", "backtest <strategy> on AAPL", ...). Anything else is not a
// request this module recognises (undefined), and the model says plainly what it can do.

export interface PlainRequest {
  /** The tool to call first. */
  readonly tool: string;
  readonly args: Record<string, unknown>;
  /** For a backtest: the candles come first, then strategy_backtest with this strategy. */
  readonly backtest?: { readonly strategy: string };
}

const timeframes = ['1m', '5m', '15m', '1h', '4h', '1d'] as const;
const timeframeWords: Record<string, (typeof timeframes)[number]> = {
  minute: '1m',
  hourly: '1h',
  hour: '1h',
  daily: '1d',
  day: '1d',
};
/** Candles a chart asks for; a backtest asks for more (and stays under the tool result cap). */
export const chartCandles = 100;
export const backtestCandles = 150;

const symbol = String.raw`\$?([A-Za-z][A-Za-z0-9.:/_-]{0,31})`;
const strategyName = String.raw`([a-z0-9][a-z0-9_-]{0,63})`;
const tail = String.raw`\s*[?.!]*\s*$`;

/** Words that look like symbols in a sentence but are not. */
const notSymbols = new Set(['MY', 'THE', 'A', 'AN', 'IT', 'ME', 'OF', 'FOR', 'ON', 'IN', 'AT']);

function ticker(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const value = raw.toUpperCase();
  return notSymbols.has(value) ? undefined : value;
}

function timeframe(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const value = raw.toLowerCase();
  if ((timeframes as readonly string[]).includes(value)) return value;
  return timeframeWords[value];
}

const tf = String.raw`(?:\s+(?:on\s+|at\s+|in\s+)?(?:the\s+)?(1m|5m|15m|1h|4h|1d|minute|hourly|hour|daily|day))?`;

/** The tool call a plain request stands for, or undefined when it is not one we know. */
export function parsePlainRequest(input: string): PlainRequest | undefined {
  const text = input.trim().replace(/\s+/g, ' ');
  let m: RegExpExecArray | null;

  m = new RegExp(
    String.raw`^backtest\s+${strategyName}\s+(?:on|for|with)\s+${symbol}${tf}${tail}`,
    'i',
  ).exec(text);
  if (m && ticker(m[2])) {
    return {
      tool: 'market_candles',
      args: { symbol: ticker(m[2]), timeframe: timeframe(m[3]) ?? '1h', limit: backtestCandles },
      backtest: { strategy: m[1]!.toLowerCase() },
    };
  }

  m = new RegExp(
    String.raw`^(?:show\s+(?:me\s+)?)?(?:a\s+|the\s+)?(?:chart|candles|plot|graph)(?:\s+(?:of|for))?\s+${symbol}${tf}${tail}`,
    'i',
  ).exec(text);
  m ??= new RegExp(
    String.raw`^show\s+(?:me\s+)?${symbol}${tf}(?:\s+(?:chart|candles))?${tail}`,
    'i',
  ).exec(text);
  if (m && ticker(m[1])) {
    return {
      tool: 'market_candles',
      args: { symbol: ticker(m[1]), timeframe: timeframe(m[2]) ?? '1h', limit: chartCandles },
    };
  }

  const quotes = [
    String.raw`^(?:quote|price(?:\s+of)?|last\s+price\s+of)\s+${symbol}${tail}`,
    String.raw`^${symbol}\s+(?:quote|price)${tail}`,
    String.raw`^how\s*(?:is|'s|are)\s+${symbol}(?:\s+(?:doing|trading|today|now))*${tail}`,
    String.raw`^what(?:\s+is|'s)\s+(?:the\s+)?(?:price\s+of\s+)?${symbol}(?:\s+(?:at|trading\s+at|price|worth))?(?:\s+(?:today|now))?${tail}`,
  ];
  for (const pattern of quotes) {
    m = new RegExp(pattern, 'i').exec(text);
    if (m && ticker(m[1])) return { tool: 'market_quote', args: { symbol: ticker(m[1]) } };
  }

  m = new RegExp(
    String.raw`^(?:search|find|look\s*up)\s+(?:for\s+)?(?:symbols?\s+)?(.{1,64}?)${tail}`,
    'i',
  ).exec(text);
  if (m) return { tool: 'market_search_symbols', args: { query: m[1] } };

  if (/^(?:(?:show|list)\s+)?(?:my\s+)?(?:saved\s+)?indicators\s*[?.!]*$/i.test(text)) {
    return { tool: 'indicator_list', args: {} };
  }
  if (/^(?:(?:show|list)\s+)?(?:my\s+)?(?:saved\s+)?strateg(?:y|ies)\s*[?.!]*$/i.test(text)) {
    return { tool: 'strategy_list', args: {} };
  }
  if (/^(?:(?:show\s+)?my\s+)?(?:workspace|chart\s+state|current\s+chart)\s*[?.!]*$/i.test(text)) {
    return { tool: 'workspace_get', args: {} };
  }
  if (/^(?:(?:show\s+)?my\s+)?profile\s*[?.!]*$/i.test(text)) {
    return { tool: 'profile_get', args: {} };
  }
  if (/^(?:what\s+time\s+is\s+it|time|now)\s*[?.!]*$/i.test(text)) {
    return { tool: 'time_now', args: {} };
  }
  return undefined;
}

/** Candles from market_candles' text result ([time ISO, open, high, low, close, volume] rows). */
export function candlesFromText(
  text: string,
): { time: number; open: number; high: number; low: number; close: number; volume: number }[] {
  const line = text.split('\n').find((l) => l.startsWith('[['));
  if (!line) return [];
  try {
    const rows = JSON.parse(line) as [string, number, number, number, number, number][];
    return rows.map(([time, open, high, low, close, volume]) => ({
      time: Date.parse(time),
      open,
      high,
      low,
      close,
      volume,
    }));
  } catch {
    return [];
  }
}
