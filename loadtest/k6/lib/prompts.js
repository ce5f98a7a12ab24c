// What the simulated users type: `/call <tool> <json>` makes the offline model (no LLM
// configured) really call the tool through the gateway's turn loop, as an LLM would.
// Platform tools (market_*, time_now) run in the gateway; user tools (profile_get,
// indicator_list) are proxied to the user's own agent over MCP.
export const chatPrompts = [
  '/call market_quote {"symbol":"AAPL"}',
  '/call profile_get {}',
  '/call market_candles {"symbol":"EURUSD","timeframe":"1h","limit":24}',
  '/call time_now {"timezone":"America/New_York"}',
  '/call indicator_list {}',
  '/call market_search_symbols {"query":"us","limit":5}',
  '/call market_quote {"symbol":"BTCUSD"}',
];

export const directCalls = [
  { name: 'market_quote', arguments: { symbol: 'AAPL' } },
  { name: 'profile_get', arguments: {} },
  { name: 'market_quote', arguments: { symbol: 'BTCUSD' } },
  { name: 'market_candles', arguments: { symbol: 'AAPL', timeframe: '5m', limit: 50 } },
  { name: 'time_now', arguments: {} },
];

/** A user tool: answering it needs the user's agent bound (connect-storm's first call). */
export const userToolCall = { name: 'profile_get', arguments: {} };

/** The resource every agent serves (the user's profile). */
export const profileUri = 'context://user-profile';

export function pick(list, index) {
  return list[Math.abs(index) % list.length];
}
