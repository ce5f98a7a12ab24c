// One contract, two agents: the Python agent's indicator math and backtests against the
// TypeScript agent's analysis library (agent/src/analysis) on the same candles and specs.
// Same values where the definitions agree; where the seeding differs (EMA-based and
// Wilder-smoothed indicators: agent-py/README.md) the same values once the seed has decayed.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { backtest, computeIndicator, type IndicatorSpec } from '../../agent/src/analysis/index.js';
import type { Strategy } from '../../agent/src/analysis/strategy-spec.js';
import { candles, ok } from '../../agent/test/support/tool-result.js';
import { startAgent, type StartedAgent } from './support/agent-py.js';

let dir: string;
let agent: StartedAgent;
let client: Client;
const series = candles(400);
const none = () => undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warmgate-agent-py-parity-'));
  agent = await startAgent({ WARMGATE_WORKSPACE: dir });
  client = new Client({ name: 'agent-py-parity', version: '0' });
  await client.connect(new StreamableHTTPClientTransport(agent.url));
}, 360_000);

afterAll(async () => {
  await client?.close();
  await agent?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Outputs = Record<string, (number | null)[]>;

async function both(spec: Record<string, unknown>): Promise<{ py: Outputs; ts: Outputs }> {
  const py = (await ok(client, 'indicator_compute', { spec, candles: series })).outputs as Outputs;
  const ts = computeIndicator(spec as unknown as IndicatorSpec, series, none).outputs as Outputs;
  return { py, ts };
}

function expectClose(py: (number | null)[], ts: (number | null)[], from = 0) {
  expect(py).toHaveLength(ts.length);
  for (let i = from; i < ts.length; i++) {
    if (ts[i] === null) expect(py[i], `bar ${i}`).toBeNull();
    else expect(py[i], `bar ${i}`).toBeCloseTo(ts[i]!, 6);
  }
}

it.each([
  { indicator: 'sma', period: 7 },
  { indicator: 'wma', period: 5, source: 'hlc3' },
  { indicator: 'bbands', period: 20, stddev: 2 },
  { indicator: 'shift', bars: 3 },
  { indicator: 'math', op: '/', left: 'close', right: { indicator: 'sma', period: 10 } },
  { indicator: 'obv' },
])('same values as the TypeScript agent: $indicator', async (spec) => {
  const { py, ts } = await both(spec);
  expect(Object.keys(py).sort()).toEqual(Object.keys(ts).sort());
  for (const name of Object.keys(ts)) expectClose(py[name]!, ts[name]!);
});

it.each([
  { indicator: 'ema', period: 9 },
  { indicator: 'rsi', period: 14 },
  { indicator: 'atr', period: 14 },
  { indicator: 'macd' },
  { indicator: 'stoch' },
])('same values once the seed has decayed: $indicator', async (spec) => {
  const { py, ts } = await both(spec);
  expect(Object.keys(py).sort()).toEqual(Object.keys(ts).sort());
  for (const name of Object.keys(ts)) expectClose(py[name]!, ts[name]!, 300);
});

it('the same backtest trades for a strategy on exact-parity indicators', async () => {
  const strategy = {
    name: 'cross',
    side: 'long',
    entry: {
      left: { indicator: 'sma', period: 5 },
      op: 'crosses_above',
      right: { indicator: 'sma', period: 20 },
    },
    exit: {
      left: { indicator: 'sma', period: 5 },
      op: 'crosses_below',
      right: { indicator: 'sma', period: 20 },
    },
    stopLossPct: 3,
    fee: 0.001,
  };
  const py = await ok(client, 'strategy_backtest', { strategy, candles: series });
  const ts = backtest(strategy as unknown as Strategy, series, none);
  expect(py.tradeCount).toBe(ts.tradeCount);
  expect(py.tradeCount).toBeGreaterThan(0);
  expect(py.pnl as number).toBeCloseTo(ts.pnl, 6);
  expect(py.maxDrawdownPct as number).toBeCloseTo(ts.maxDrawdownPct, 6);
  expect((py.trades as { reason: string }[]).map((t) => t.reason)).toEqual(
    ts.trades.map((t) => t.reason),
  );
});
