// The market data tools: symbol search, quote, candles. They read a MarketDataProvider; with
// the bundled provider every answer states that the data is generated sample data.
import { errors, type gatewayv1 } from '@warmgate/proto';
import type { JsonObject, ToolDescriptor } from '../core/ports.js';
import {
  timeframeMs,
  type MarketDataProvider,
  type SymbolInfo,
  type Timeframe,
} from './market-data-provider.js';
import { readEnum, readInteger, readOptionalTime, readString } from './tool-args.js';
import { toolResult } from './tool-result.js';

export interface PlatformTool {
  readonly descriptor: ToolDescriptor;
  run(args: JsonObject, now: number): gatewayv1.CallToolResponse;
}

const timeframes = Object.keys(timeframeMs) as Timeframe[];
const readOnly = { readOnly: true, destructive: false, idempotent: true };
const symbolSchema = {
  type: 'string',
  description: 'Ticker symbol, e.g. AAPL, BTCUSD, EURUSD (see market_search_symbols).',
  maxLength: 32,
};

export function marketTools(provider: MarketDataProvider): PlatformTool[] {
  const note = provider.generated ? ` Data: ${provider.source}.` : '';
  const meta = { source: provider.source, generated: provider.generated };
  const known = (symbol: string): SymbolInfo => {
    const info = provider.symbol(symbol);
    if (!info) throw errors.notFound(`unknown symbol "${symbol}"; try market_search_symbols`);
    return info;
  };

  const search: PlatformTool = {
    descriptor: descriptor('market_search_symbols', `Finds symbols by ticker or name.${note}`, {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'Part of a ticker or name.', maxLength: 64 },
        limit: { type: 'integer', minimum: 1, maximum: 50, default: 10 },
      },
      required: ['query'],
      additionalProperties: false,
    }),
    run(args) {
      const query = typeof args.query === 'string' ? args.query.slice(0, 64) : '';
      const limit = readInteger(args, 'limit', { min: 1, max: 50, fallback: 10 });
      const found = provider.search(query, limit);
      const lines = found.map((s) => `${s.symbol} — ${s.name} (${s.kind}, ${s.currency})`);
      const text = `${found.length} symbol(s) matching "${query}".${note}\n${lines.join('\n')}`;
      return toolResult(text, { ...meta, symbols: found });
    },
  };

  const quote: PlatformTool = {
    descriptor: descriptor('market_quote', `The latest price of a symbol.${note}`, {
      type: 'object',
      properties: { symbol: symbolSchema },
      required: ['symbol'],
      additionalProperties: false,
    }),
    run(args, now) {
      const info = known(readString(args, 'symbol', { max: 32 }));
      const q = provider.quote(info.symbol, now);
      const text = `${q.symbol} ${q.last} ${info.currency} (bid ${q.bid}, ask ${q.ask}, ${q.changePercent}% over 24 h) at ${new Date(q.time).toISOString()}.${note}`;
      return toolResult(text, { ...meta, quote: q, currency: info.currency });
    },
  };

  const candles: PlatformTool = {
    descriptor: descriptor('market_candles', `OHLCV candles of a symbol, oldest first.${note}`, {
      type: 'object',
      properties: {
        symbol: symbolSchema,
        timeframe: { type: 'string', enum: timeframes, default: '1h' },
        limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
        from: { type: 'string', format: 'date-time', description: 'First candle (ISO 8601).' },
        to: { type: 'string', format: 'date-time', description: 'Last candle; default now.' },
      },
      required: ['symbol'],
      additionalProperties: false,
    }),
    run(args, now) {
      const info = known(readString(args, 'symbol', { max: 32 }));
      const timeframe = readEnum(args, 'timeframe', timeframes, '1h');
      const limit = readInteger(args, 'limit', { min: 1, max: 1000, fallback: 100 });
      const from = readOptionalTime(args, 'from');
      const to = readOptionalTime(args, 'to');
      const rows = provider.candles({ symbol: info.symbol, timeframe, limit, from, to }, now);
      const header = `${rows.length} ${timeframe} candle(s) of ${info.symbol} in ${info.currency}, oldest first, as [time, open, high, low, close, volume].${note}`;
      const table = rows.map((c) => [
        new Date(c.time).toISOString(),
        c.open,
        c.high,
        c.low,
        c.close,
        c.volume,
      ]);
      return toolResult(`${header}\n${JSON.stringify(table)}`, {
        ...meta,
        symbol: info.symbol,
        timeframe,
        candles: rows,
      });
    },
  };

  return [search, quote, candles];
}

export function descriptor(
  name: string,
  description: string,
  inputSchema: JsonObject,
): ToolDescriptor {
  return {
    name,
    description,
    inputSchema,
    annotations: { title: name, ...readOnly },
    route: 'platform',
  };
}
