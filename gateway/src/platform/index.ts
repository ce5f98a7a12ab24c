export { createPlatformTools, type PlatformToolsOptions } from './platform-tools.js';
export { createSampleMarketData } from './sample-market-data.js';
export type {
  Candle,
  CandleQuery,
  MarketDataProvider,
  Quote,
  SymbolInfo,
  Timeframe,
} from './market-data-provider.js';
