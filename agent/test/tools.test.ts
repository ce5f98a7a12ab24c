// Every resource and user tool of a bound agent, over MCP Streamable HTTP, with every write
// checked in the store.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStore } from '@warmgate/contract';
import { bindRequest, connectAs, startContainer, type Container } from './support/container.js';
import { storeFile, storeFiles, storeLog } from './support/store-git.js';
import { call, candles, ok, readJson } from './support/tool-result.js';

const USER = 'tool-tester';
let root: string;
let store: string;
let c: Container;
let client: Client;
let request: ReturnType<typeof bindRequest>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'warmgate-tools-'));
  store = await ensureStore(join(root, 'store'));
  c = await startContainer();
  request = bindRequest({ userId: USER, store });
  await c.lifecycle.bind(request);
  client = await connectAs(c, request);
});

afterAll(async () => {
  await client?.close();
  await c?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('resources', () => {
  it('lists the context resources and item templates with mime types', async () => {
    const { resources } = await client.listResources();
    const byUri = Object.fromEntries(resources.map((r) => [r.uri, r.mimeType]));
    expect(byUri).toMatchObject({
      'context://user-profile': 'application/json',
      'context://conversation-summary': 'text/markdown',
      'context://workspace-state': 'application/json',
      'context://system-prompt': 'text/markdown',
      'indicators://list': 'application/json',
      'strategies://list': 'application/json',
    });
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual([
      'indicators://{name}',
      'strategies://{name}',
    ]);
  });

  it('reads every context resource', async () => {
    expect(await readJson(client, 'context://user-profile')).toMatchObject({
      riskTolerance: 'medium',
    });
    expect(await readJson(client, 'context://workspace-state')).toMatchObject({
      symbol: 'BTCUSDT',
      timeframe: '1h',
    });
    const summary = await client.readResource({ uri: 'context://conversation-summary' });
    expect(summary.contents[0]).toMatchObject({ mimeType: 'text/markdown' });
    const prompt = await client.readResource({ uri: 'context://system-prompt' });
    expect(prompt.contents[0]).toMatchObject({ mimeType: 'text/markdown' });
    const indicators = (await readJson(client, 'indicators://list')) as {
      builtin: { name: string }[];
    };
    expect(indicators.builtin.map((i) => i.name)).toEqual(
      expect.arrayContaining(['sma', 'ema', 'rsi', 'macd', 'bbands', 'atr']),
    );
    expect(await readJson(client, 'strategies://list')).toEqual({ strategies: [] });
    expect(await readJson(client, 'indicators://rsi')).toMatchObject({ name: 'rsi', saved: false });
  });
});

describe('tools', () => {
  it('marks read-only tools and hides nothing but the internal flag', async () => {
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    for (const name of ['workspace_get', 'profile_get', 'indicator_compute', 'strategy_backtest']) {
      expect(byName.get(name)?.annotations?.readOnlyHint).toBe(true);
    }
    expect(byName.get('indicator_save')?.annotations?.readOnlyHint).toBe(false);
    expect(byName.get('conversation_append')?._meta).toEqual({ 'warmgate/internal': true });
    expect(byName.get('indicator_save')?.inputSchema.properties).toHaveProperty('spec');
  });

  it('changes chart symbol, timeframe and indicators, committed as the user', async () => {
    await ok(client, 'workspace_set_chart', { symbol: 'ETHUSDT', timeframe: '4h' });
    await ok(client, 'workspace_set_chart_indicators', {
      indicators: [{ id: 'fast', spec: { indicator: 'ema', period: 9 } }],
    });
    const state = await ok(client, 'workspace_get');
    expect(state).toMatchObject({ symbol: 'ETHUSDT', timeframe: '4h' });
    expect(state.indicators).toEqual([{ id: 'fast', spec: { indicator: 'ema', period: 9 } }]);
    const stored = JSON.parse(await storeFile(store, USER, 'workspace.json'));
    expect(stored).toMatchObject({ symbol: 'ETHUSDT', timeframe: '4h' });
    const [latest] = await storeLog(store, USER);
    expect(latest).toBe('Chart: indicators fast');
    const { execFile } = await import('node:child_process');
    const author = await new Promise<string>((resolve) =>
      execFile(
        'git',
        ['--git-dir', join(store, `${USER}.git`), 'log', '-1', '--format=%an'],
        (_e, out) => resolve(out.trim()),
      ),
    );
    expect(author).toBe(USER);
  });

  it('reads and updates the profile and the system prompt', async () => {
    await ok(client, 'profile_update', {
      display_name: 'Tess',
      risk_tolerance: 'high',
      preferences: { currency: 'EUR' },
    });
    expect(await ok(client, 'profile_get')).toMatchObject({
      displayName: 'Tess',
      riskTolerance: 'high',
      preferences: { currency: 'EUR' },
    });
    await ok(client, 'system_prompt_set', { text: 'Be brief.' });
    expect(await ok(client, 'system_prompt_get')).toEqual({ text: 'Be brief.\n' });
    expect(await storeFile(store, USER, 'system-prompt.md')).toBe('Be brief.\n');
  });

  it('saves, lists, gets, computes and deletes indicators', async () => {
    const spec = { indicator: 'ema', period: 3, source: { indicator: 'rsi', period: 5 } };
    await ok(client, 'indicator_save', { name: 'rsi-smooth', description: 'EMA of RSI', spec });
    const listed = await ok(client, 'indicator_list');
    expect(listed.saved).toEqual([{ name: 'rsi-smooth', description: 'EMA of RSI', spec }]);
    expect(await ok(client, 'indicator_get', { name: 'rsi-smooth' })).toMatchObject({ spec });
    expect(await readJson(client, 'indicators://rsi-smooth')).toMatchObject({ spec, saved: true });

    const bars = candles(60);
    const byName = await ok(client, 'indicator_compute', { name: 'rsi-smooth', candles: bars });
    const bySpec = await ok(client, 'indicator_compute', {
      spec: { indicator: 'saved', name: 'rsi-smooth' },
      candles: bars,
    });
    expect(byName).toEqual(bySpec);
    const value = (byName.outputs as { value: (number | null)[] }).value;
    expect(value).toHaveLength(60);
    expect(value.at(-1)).toBeTypeOf('number');
    const macd = await ok(client, 'indicator_compute', {
      spec: { indicator: 'macd' },
      candles: bars,
    });
    expect(Object.keys(macd.outputs as object).sort()).toEqual(['histogram', 'macd', 'signal']);

    await ok(client, 'indicator_delete', { name: 'rsi-smooth' });
    expect((await call(client, 'indicator_get', { name: 'rsi-smooth' })).text).toMatch(
      /^NOT_FOUND/,
    );
    expect(await storeFiles(store, USER)).not.toContain('indicators/rsi-smooth.json');
  });

  it('saves, lists, gets, backtests and deletes strategies', async () => {
    const strategy = {
      name: 'ema-cross',
      description: 'fast EMA over slow EMA',
      side: 'long',
      entry: {
        left: { indicator: 'ema', period: 3 },
        op: 'crosses_above',
        right: { indicator: 'ema', period: 8 },
      },
      exit: {
        left: { indicator: 'ema', period: 3 },
        op: 'crosses_below',
        right: { indicator: 'ema', period: 8 },
      },
    };
    const saved = await call(client, 'strategy_save', { strategy });
    expect(saved.isError, saved.text).toBe(false);
    expect(await ok(client, 'strategy_list')).toEqual({
      strategies: [{ name: 'ema-cross', description: 'fast EMA over slow EMA', side: 'long' }],
    });
    expect(await ok(client, 'strategy_get', { name: 'ema-cross' })).toMatchObject(strategy);
    expect(await readJson(client, 'strategies://ema-cross')).toMatchObject(strategy);
    const report = await ok(client, 'strategy_backtest', {
      name: 'ema-cross',
      candles: candles(200),
    });
    expect(report).toHaveProperty('pnl');
    expect(report).toHaveProperty('maxDrawdownPct');
    expect(report).toHaveProperty('winRate');
    expect((report.trades as unknown[]).length).toBeGreaterThan(0);
    await ok(client, 'strategy_delete', { name: 'ema-cross' });
    expect(await ok(client, 'strategy_list')).toEqual({ strategies: [] });
  });

  it('appends turns (once per turn id) and summarises them, bounded', async () => {
    const turn = (i: number) => ({
      turn_id: `t-${i}`,
      user_text: `question ${i} ${'x'.repeat(2000)}`,
      answer_text: `answer ${i}`,
      tool_calls: [{ name: 'indicator_compute', is_error: false }],
      started_at: '2026-11-24T08:00:00.000Z',
      finished_at: `2026-11-24T08:00:${String(i).padStart(2, '0')}.000Z`,
    });
    for (let i = 0; i < 30; i++) await ok(client, 'conversation_append', turn(i));
    expect(await ok(client, 'conversation_append', turn(29))).toMatchObject({ appended: false });
    const summary = await client.readResource({ uri: 'context://conversation-summary' });
    const text = (summary.contents[0] as { text: string }).text;
    expect(text.length).toBeLessThanOrEqual(8000);
    expect(text).toContain('answer 29');
    expect(text).not.toContain('answer 5\n');
    const lines = (await storeFile(store, USER, 'conversations/2026-11-24.jsonl'))
      .trim()
      .split('\n');
    expect(lines).toHaveLength(30);
    const tool = await ok(client, 'conversation_summary', { max_turns: 2 });
    expect(tool.markdown).toContain('answer 28');
    expect(tool.markdown).not.toContain('answer 27');
  });
});

describe('subscriptions', () => {
  it('notifies a subscribed client when the resource changes', async () => {
    const watcher = await connectAs(c, request);
    const updated: string[] = [];
    watcher.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updated.push(n.params.uri);
    });
    await watcher.subscribeResource({ uri: 'context://workspace-state' });
    await ok(client, 'profile_update', { trading_style: 'swing' }); // not subscribed
    await ok(client, 'workspace_set_chart', { symbol: 'SOLUSDT' });
    for (let i = 0; i < 100 && !updated.includes('context://workspace-state'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(updated).toEqual(['context://workspace-state']);
    await watcher.unsubscribeResource({ uri: 'context://workspace-state' });
    await watcher.close();
  });
});

describe('bad input', () => {
  it('refuses traversal and reserved names without touching the repository', async () => {
    const before = await storeLog(store, USER);
    for (const name of ['../escape', '.git', 'a/b', 'UPPER', 'x'.repeat(65), 'list', '']) {
      const outcome = await call(client, 'indicator_save', {
        name,
        spec: { indicator: 'sma', period: 3 },
      });
      expect(outcome.isError, name).toBe(true);
      expect(outcome.text, name).toMatch(/name/i);
    }
    expect((await call(client, 'strategy_get', { name: '../../etc/passwd' })).isError).toBe(true);
    await expect(client.readResource({ uri: 'indicators://..%2Fsecret' })).rejects.toThrow();
    expect(await storeLog(store, USER)).toEqual(before);
  });

  it('reports schema violations and oversized input as tool errors saying what was wrong', async () => {
    const bad = await call(client, 'indicator_compute', {
      spec: { indicator: 'sma', period: 0 },
      candles: candles(10),
    });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/period/);
    const tooLong = await call(client, 'system_prompt_set', { text: 'y'.repeat(17 * 1024) });
    expect(tooLong.isError).toBe(true);
    expect(tooLong.text).toMatch(/text/);
    const tooMany = await call(client, 'indicator_compute', {
      spec: { indicator: 'sma', period: 3 },
      candles: candles(10_001),
    });
    expect(tooMany.isError).toBe(true);
    expect(tooMany.text).toMatch(/10,?000/);
    const wrongType = await call(client, 'workspace_set_chart', { timeframe: '7m' });
    expect(wrongType.isError).toBe(true);
    expect(wrongType.text).toMatch(/timeframe/);
    expect(await ok(client, 'workspace_get')).toMatchObject({ symbol: 'SOLUSDT' });
  });
});

describe('concurrency', () => {
  it('lands every one of 20 parallel saves as its own commit in the store', async () => {
    const before = (await storeLog(store, USER)).length;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(client, 'indicator_save', {
          name: `parallel-${i}`,
          spec: { indicator: 'sma', period: i + 2 },
        }),
      ),
    );
    expect(results.filter((r) => r.isError)).toEqual([]);
    expect((await storeLog(store, USER)).length).toBe(before + 20);
    const files = await storeFiles(store, USER);
    for (let i = 0; i < 20; i++) expect(files).toContain(`indicators/parallel-${i}.json`);
    const status = await c.lifecycle.getStatus({});
    expect(status.unsavedChanges).toBe(0);
  });
});
