// The market data port. The gateway's platform tools read market data only through this
// interface, so a real feed replaces the bundled generated sample without touching the tools.

export type Timeframe = '1m' | '5m' | '15m' | '1h' | '4h' | '1d';

export const timeframeMs: Record<Timeframe, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
};

export interface SymbolInfo {
  readonly symbol: string;
  readonly name: string;
  readonly kind: 'stock' | 'etf' | 'crypto' | 'fx' | 'commodity';
  readonly currency: string;
}

export interface Candle {
  /** Start of the candle, ms since the epoch (UTC). */
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export interface Quote {
  readonly symbol: string;
  readonly time: number;
  readonly last: number;
  readonly bid: number;
  readonly ask: number;
  /** Change against the close 24 hours earlier, in percent. */
  readonly changePercent: number;
}

export interface CandleQuery {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** Inclusive range in ms since the epoch; `to` defaults to now. */
  readonly from?: number;
  readonly to?: number;
  /** At most this many candles, the most recent ones. */
  readonly limit: number;
}

export interface MarketDataProvider {
  /** Where the data comes from, shown with every result (e.g. "generated sample data"). */
  readonly source: string;
  /** True when the prices are not real market prices. */
  readonly generated: boolean;
  search(query: string, limit: number): SymbolInfo[];
  symbol(symbol: string): SymbolInfo | undefined;
  candles(query: CandleQuery, now: number): Candle[];
  quote(symbol: string, now: number): Quote;
}
