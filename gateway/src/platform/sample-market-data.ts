// The bundled market data provider: GENERATED sample data, not real quotes. A fixed list of
// well-known symbols, each starting from a realistic price level, moves along a deterministic
// seeded random path (value-noise.ts). Every result of the market tools says so.
import type {
  Candle,
  CandleQuery,
  MarketDataProvider,
  Quote,
  SymbolInfo,
} from './market-data-provider.js';
import { timeframeMs } from './market-data-provider.js';
import { fractalNoise, gridValue, hashString } from './value-noise.js';

interface SampleSymbol extends SymbolInfo {
  /** A realistic price level the path moves around. */
  readonly base: number;
  /** Typical volume per minute. */
  readonly volumePerMinute: number;
  readonly decimals: number;
}

const symbols: readonly SampleSymbol[] = [
  stock('AAPL', 'Apple Inc.', 190, 60_000),
  stock('MSFT', 'Microsoft Corporation', 420, 30_000),
  stock('NVDA', 'NVIDIA Corporation', 120, 400_000),
  stock('AMZN', 'Amazon.com, Inc.', 185, 50_000),
  stock('GOOGL', 'Alphabet Inc. Class A', 170, 35_000),
  stock('META', 'Meta Platforms, Inc.', 500, 20_000),
  stock('TSLA', 'Tesla, Inc.', 250, 120_000),
  stock('JPM', 'JPMorgan Chase & Co.', 200, 12_000),
  { ...stock('SPY', 'SPDR S&P 500 ETF Trust', 520, 80_000), kind: 'etf' },
  { ...stock('QQQ', 'Invesco QQQ Trust', 450, 60_000), kind: 'etf' },
  other('BTCUSD', 'Bitcoin / US Dollar', 'crypto', 65_000, 40, 2),
  other('ETHUSD', 'Ether / US Dollar', 'crypto', 3_200, 400, 2),
  other('EURUSD', 'Euro / US Dollar', 'fx', 1.08, 2_000_000, 5),
  other('GBPUSD', 'British Pound / US Dollar', 'fx', 1.27, 1_200_000, 5),
  { ...other('USDJPY', 'US Dollar / Japanese Yen', 'fx', 150, 1_500_000, 3), currency: 'JPY' },
  other('XAUUSD', 'Gold / US Dollar', 'commodity', 2_300, 5_000, 2),
];

function stock(symbol: string, name: string, base: number, volume: number): SampleSymbol {
  return {
    symbol,
    name,
    kind: 'stock',
    currency: 'USD',
    base,
    volumePerMinute: volume,
    decimals: 2,
  };
}

function other(
  symbol: string,
  name: string,
  kind: SymbolInfo['kind'],
  base: number,
  volume: number,
  decimals: number,
): SampleSymbol {
  return { symbol, name, kind, currency: 'USD', base, volumePerMinute: volume, decimals };
}

/** Samples per candle used for high and low (bounded, whatever the timeframe). */
const samplesPerCandle = 12;

export function createSampleMarketData(): MarketDataProvider {
  const bySymbol = new Map(symbols.map((s) => [s.symbol, s]));
  const info = ({ symbol, name, kind, currency }: SampleSymbol): SymbolInfo => ({
    symbol,
    name,
    kind,
    currency,
  });
  const lookup = (symbol: string) => bySymbol.get(symbol.trim().toUpperCase());

  return {
    source: 'generated sample data (deterministic seeded random walk), not real market quotes',
    generated: true,

    search(query, limit) {
      const needle = query.trim().toLowerCase();
      return symbols
        .filter(
          (s) =>
            needle === '' ||
            s.symbol.toLowerCase().includes(needle) ||
            s.name.toLowerCase().includes(needle),
        )
        .slice(0, limit)
        .map(info);
    },

    symbol: (symbol) => {
      const found = lookup(symbol);
      return found && info(found);
    },

    candles(query, now) {
      const sample = lookup(query.symbol);
      return sample ? candlesOf(sample, query, now) : [];
    },

    quote(symbol, now) {
      const sample = lookup(symbol);
      if (!sample) throw new RangeError(`unknown symbol ${symbol}`);
      return quoteOf(sample, now);
    },
  };
}

function priceAt(sample: SampleSymbol, time: number): number {
  return sample.base * Math.exp(fractalNoise(hashString(sample.symbol), time / 60_000));
}

function round(sample: SampleSymbol, value: number): number {
  const factor = 10 ** sample.decimals;
  return Math.round(value * factor) / factor;
}

function candlesOf(sample: SampleSymbol, query: CandleQuery, now: number): Candle[] {
  const step = timeframeMs[query.timeframe];
  const to = Math.min(query.to ?? now, now);
  const last = Math.floor(to / step) * step;
  let first = last - (query.limit - 1) * step;
  if (query.from !== undefined) first = Math.max(first, Math.ceil(query.from / step) * step);
  const out: Candle[] = [];
  for (let start = first; start <= last && out.length < query.limit; start += step) {
    out.push(candleAt(sample, start, Math.min(start + step, now), step));
  }
  return out;
}

function candleAt(sample: SampleSymbol, start: number, end: number, step: number): Candle {
  const open = priceAt(sample, start);
  const close = priceAt(sample, end);
  let high = Math.max(open, close);
  let low = Math.min(open, close);
  for (let index = 1; index < samplesPerCandle; index++) {
    const price = priceAt(sample, start + ((end - start) * index) / samplesPerCandle);
    high = Math.max(high, price);
    low = Math.min(low, price);
  }
  const seed = hashString(`${sample.symbol}/volume`);
  const volume =
    sample.volumePerMinute * (step / 60_000) * (1 + 0.5 * gridValue(seed, start / step));
  return {
    time: start,
    open: round(sample, open),
    high: round(sample, high),
    low: round(sample, low),
    close: round(sample, close),
    volume: Math.round(volume),
  };
}

function quoteOf(sample: SampleSymbol, now: number): Quote {
  const last = priceAt(sample, now);
  const dayAgo = priceAt(sample, now - 86_400_000);
  const halfSpread = Math.max(last * 0.0001, 10 ** -sample.decimals);
  return {
    symbol: sample.symbol,
    time: now,
    last: round(sample, last),
    bid: round(sample, last - halfSpread),
    ask: round(sample, last + halfSpread),
    changePercent: Math.round(((last - dayAgo) / dayAgo) * 10_000) / 100,
  };
}
