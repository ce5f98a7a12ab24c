// The Python reference agent (agent-py/) driven by the TypeScript MCP client: the six context
// resources, the user tools with the TypeScript agent's names and readOnlyHint, files in the
// shared repository layout, and user-written Python indicators run under bubblewrap with a
// time and memory budget — a loop, an allocation, a raise and a read outside the workspace
// each stopped with a specific tool error while the agent keeps answering.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import {
  CONTEXT_RESOURCE_URIS,
  NUMPY_INDICATOR_DESCRIPTION,
  NUMPY_INDICATOR_SOURCE,
} from '@warmgate/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, candles, ok, readJson } from '../../agent/test/support/tool-result.js';
import { agentEnv, agentPython, startAgent, type StartedAgent } from './support/agent-py.js';

const run = promisify(execFile);
// The machine is shared: a Python start (imports) can take seconds under load.
const SLOW = 120_000;

let dir: string;
let workspace: string;
let agent: StartedAgent;
let client: Client;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warmgate-agent-py-'));
  workspace = join(dir, 'workspace');
  await mkdir(workspace);
  await writeFile(join(dir, 'secret.txt'), 'TOP-SECRET-OUTSIDE\n');
  agent = await startAgent({
    WARMGATE_WORKSPACE: workspace,
    WARMGATE_AGENT_ISOLATION: 'bwrap',
    WARMGATE_INDICATOR_TIMEOUT_MS: '4000',
    WARMGATE_INDICATOR_MEMORY_MB: '384',
  });
  client = new Client({ name: 'agent-py-test', version: '0' });
  await client.connect(new StreamableHTTPClientTransport(agent.url));
}, SLOW * 3);

afterAll(async () => {
  await client?.close();
  await agent?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('resources and tools', () => {
  it('lists and reads the six context resources', async () => {
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri).sort()).toEqual([...CONTEXT_RESOURCE_URIS].sort());
    expect(await readJson(client, 'context://user-profile')).toMatchObject({
      riskTolerance: 'medium',
    });
    expect(await readJson(client, 'context://workspace-state')).toMatchObject({
      symbol: 'BTCUSDT',
      timeframe: '1h',
    });
    const prompt = await client.readResource({ uri: 'context://system-prompt' });
    expect((prompt.contents[0] as { text: string }).text).toContain('# My assistant');
    const summary = await client.readResource({ uri: 'context://conversation-summary' });
    expect((summary.contents[0] as { text: string }).text).toContain('(no turns yet)');
    expect(await readJson(client, 'indicators://list')).toMatchObject({ saved: [] });
    expect(await readJson(client, 'strategies://list')).toEqual({ strategies: [] });
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual([
      'indicators://{name}',
      'strategies://{name}',
    ]);
  });

  it("has the TypeScript agent's tools with the same readOnlyHint, plus indicator_save_python", async () => {
    const { tools } = await client.listTools();
    const readOnly = Object.fromEntries(tools.map((t) => [t.name, t.annotations?.readOnlyHint]));
    expect(readOnly).toEqual({
      workspace_get: true,
      workspace_set_chart: false,
      workspace_set_chart_indicators: false,
      profile_get: true,
      profile_update: false,
      system_prompt_get: true,
      system_prompt_set: false,
      indicator_list: true,
      indicator_get: true,
      indicator_save: false,
      indicator_save_python: false,
      indicator_delete: false,
      indicator_compute: true,
      strategy_list: true,
      strategy_get: true,
      strategy_save: false,
      strategy_delete: false,
      strategy_backtest: true,
      conversation_append: false,
      conversation_summary: true,
    });
    const append = tools.find((t) => t.name === 'conversation_append');
    expect(append?._meta).toEqual({ 'warmgate/internal': true });
  });

  it('writes the shared repository layout (and commits nothing: that is the sidecar)', async () => {
    await ok(client, 'profile_update', { display_name: 'Ada', markets: ['BTCUSDT'] });
    await ok(client, 'workspace_set_chart', { symbol: 'ETHUSDT', timeframe: '4h' });
    await ok(client, 'system_prompt_set', { text: 'Be brief.' });
    const profile = JSON.parse(await readFile(join(workspace, 'profile.json'), 'utf8'));
    expect(profile).toMatchObject({ displayName: 'Ada', markets: ['BTCUSDT'] });
    expect(await readJson(client, 'context://user-profile')).toMatchObject({ displayName: 'Ada' });
    const state = JSON.parse(await readFile(join(workspace, 'workspace.json'), 'utf8'));
    expect(state).toMatchObject({ symbol: 'ETHUSDT', timeframe: '4h', openAnalysis: null });
    expect(await readFile(join(workspace, 'system-prompt.md'), 'utf8')).toBe('Be brief.\n');
    // the commit message the sidecar's data plane commits with (the TypeScript agent's wording)
    const saved = await client.callTool({
      name: 'indicator_save',
      arguments: { name: 'ema-9', spec: { indicator: 'ema', period: 9 } },
    });
    expect(saved._meta).toEqual({ 'warmgate/commit-message': 'Indicator: save ema-9' });
    const read = await client.callTool({ name: 'profile_get', arguments: {} });
    expect(read._meta).toBeUndefined();
    const bad = await call(client, 'workspace_set_chart', { timeframe: '2h' });
    expect(bad.isError).toBe(true);
  });

  it('notifies a subscribed session when a tool changed the resource', async () => {
    const updated: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updated.push(n.params.uri);
    });
    expect(client.getServerCapabilities()?.resources?.subscribe).toBe(true);
    await client.subscribeResource({ uri: 'context://workspace-state' });
    await ok(client, 'workspace_set_chart', { open_analysis: 'watching the range' });
    await ok(client, 'system_prompt_set', { text: 'Be brief.' });
    await expect.poll(() => updated).toEqual(['context://workspace-state']);
    // open_analysis left out keeps the note; null clears it
    await ok(client, 'workspace_set_chart', { symbol: 'SOLUSDT' });
    expect(await ok(client, 'workspace_get')).toMatchObject({
      symbol: 'SOLUSDT',
      openAnalysis: 'watching the range',
    });
    await ok(client, 'workspace_set_chart', { open_analysis: null });
    expect(await ok(client, 'workspace_get')).toMatchObject({ openAnalysis: null });
    await client.unsubscribeResource({ uri: 'context://workspace-state' });
  });

  it('saves a finished turn (internal tool) into conversations/ and summarises it', async () => {
    const turn = {
      turn_id: 't-1',
      user_text: 'How is BTC?',
      answer_text: 'Ranging.',
      tool_calls: [{ name: 'indicator_compute', is_error: false }],
      started_at: '2026-11-30T10:00:00Z',
      finished_at: '2026-11-30T10:00:05Z',
    };
    expect(await ok(client, 'conversation_append', turn)).toMatchObject({ appended: true });
    expect(await ok(client, 'conversation_append', turn)).toMatchObject({ appended: false });
    const log = await readFile(join(workspace, 'conversations', '2026-11-30.jsonl'), 'utf8');
    expect(log.trim().split('\n')).toHaveLength(1);
    const summary = await client.readResource({ uri: 'context://conversation-summary' });
    expect((summary.contents[0] as { text: string }).text).toContain('**User:** How is BTC?');
  });

  it('refuses a symlink in the repository that leads outside the workspace', async () => {
    await mkdir(join(workspace, 'indicators'), { recursive: true });
    await symlink(join(dir, 'secret.txt'), join(workspace, 'indicators', 'sneaky.json'));
    const result = await call(client, 'indicator_get', { name: 'sneaky' });
    expect(result.text).toMatch(/^PERMISSION_DENIED: indicators\/sneaky.json leads outside/);
    expect(result.text).not.toContain('TOP-SECRET');
    await rm(join(workspace, 'indicators', 'sneaky.json'));
  });

  it('computes built-in specs, saves one, and backtests a saved strategy', async () => {
    const series = candles(60);
    const sma = await ok(client, 'indicator_compute', {
      spec: { indicator: 'sma', period: 3 },
      candles: series,
    });
    const values = (sma.outputs as { value: (number | null)[] }).value;
    expect(values.slice(0, 2)).toEqual([null, null]);
    expect(values[2]).toBeCloseTo((series[0].close + series[1].close + series[2].close) / 3, 9);
    await ok(client, 'indicator_save', { name: 'rsi-fast', spec: { indicator: 'rsi', period: 5 } });
    expect(
      JSON.parse(await readFile(join(workspace, 'indicators', 'rsi-fast.json'), 'utf8')),
    ).toMatchObject({ spec: { indicator: 'rsi', period: 5 } });
    const unknown = await call(client, 'indicator_compute', {
      spec: { indicator: 'nope' },
      candles: series,
    });
    expect(unknown.text).toMatch(/^INVALID_ARGUMENT: spec.indicator: unknown indicator "nope"/);
    await ok(client, 'strategy_save', {
      strategy: {
        name: 'dip',
        side: 'long',
        entry: { left: { indicator: 'saved', name: 'rsi-fast' }, op: '<', right: 40 },
        exit: { left: { indicator: 'saved', name: 'rsi-fast' }, op: '>', right: 60 },
      },
    });
    const report = await ok(client, 'strategy_backtest', { name: 'dip', candles: series });
    expect(report.tradeCount).toBeGreaterThan(0);
    expect(report).not.toHaveProperty('equityCurve');
    expect(await readJson(client, 'strategies://dip')).toMatchObject({ name: 'dip' });
  });
});

describe('user-written Python indicators (bubblewrap)', () => {
  const series = candles(40);
  const save = (name: string, source: string) =>
    ok(client, 'indicator_save_python', { name, source });
  const compute = (name: string) => call(client, 'indicator_compute', { name, candles: series });
  const stillAnswers = async () =>
    expect(await ok(client, 'profile_get')).toMatchObject({ displayName: 'Ada' });

  it(
    'saves indicators/<name>.py and computes it, also inside a spec',
    async () => {
      await save('detrend', NUMPY_INDICATOR_SOURCE);
      expect(await readFile(join(workspace, 'indicators', 'detrend.py'), 'utf8')).toBe(
        NUMPY_INDICATOR_SOURCE,
      );
      const result = await compute('detrend');
      expect(result.isError, result.text).toBe(false);
      const values = (result.data.outputs as { value: (number | null)[] }).value;
      const mean = (series[7].close + series[8].close + series[9].close) / 3;
      expect(values[0]).toBeNull();
      expect(values[9]).toBeCloseTo(series[9].close - mean, 9);
      const composed = await ok(client, 'indicator_compute', {
        spec: { indicator: 'sma', period: 2, source: { indicator: 'saved', name: 'detrend' } },
        candles: series,
      });
      expect((composed.outputs as { value: unknown[] }).value[3]).toBeTypeOf('number');
      expect(await ok(client, 'indicator_get', { name: 'detrend' })).toMatchObject({
        language: 'python',
        description: NUMPY_INDICATOR_DESCRIPTION,
      });
    },
    SLOW,
  );

  it(
    'stops a loop at its time budget',
    async () => {
      await save('spin', 'def compute(candles):\n    while True:\n        pass\n');
      const result = await compute('spin');
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/^DEADLINE_EXCEEDED: indicators\/spin.py was stopped/);
      await stillAnswers();
    },
    SLOW,
  );

  it(
    'stops an unbounded allocation at its memory budget',
    async () => {
      await save(
        'hog',
        'def compute(candles):\n    hoard = []\n    while True:\n        hoard.append(bytearray(16 * 1024 * 1024))\n',
      );
      const result = await compute('hog');
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/^RESOURCE_EXHAUSTED: indicators\/hog.py was stopped/);
      await stillAnswers();
    },
    SLOW,
  );

  it(
    "returns a raise as a tool error with the user's traceback",
    async () => {
      await save(
        'boom',
        'def helper(x):\n    return x / 0\n\ndef compute(candles):\n    return helper(1)\n',
      );
      const result = await compute('boom');
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(
        /^INVALID_ARGUMENT: indicators\/boom.py raised ZeroDivisionError/,
      );
      expect(result.text).toContain('File "indicators/boom.py", line 5, in compute');
      expect(result.text).toContain('File "indicators/boom.py", line 2, in helper');
      expect(result.text).not.toContain('indicator_runner');
      await stillAnswers();
    },
    SLOW,
  );

  it(
    'stops a read outside the workspace',
    async () => {
      const secret = join(dir, 'secret.txt');
      await save(
        'peek',
        `def compute(candles):\n    text = open(${JSON.stringify(secret)}).read()\n    return [len(text)] * len(candles["close"])\n`,
      );
      const result = await compute('peek');
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(
        /^PERMISSION_DENIED: indicators\/peek.py was stopped: reading outside the workspace is not allowed/,
      );
      expect(result.text).not.toContain('TOP-SECRET');
      await stillAnswers();
    },
    SLOW,
  );

  it(
    'sees no host file but the workspace and Python (bubblewrap), and no network',
    async () => {
      await save(
        'look',
        'import os, socket\n\ndef compute(candles):\n    raise RuntimeError(repr(sorted(os.listdir("/"))))\n',
      );
      const listing = await compute('look');
      expect(listing.text).toMatch(/raised RuntimeError: \[/);
      for (const hidden of ["'etc'", "'home'", "'work'", "'var'", "'opt'"]) {
        expect(listing.text).not.toContain(hidden);
      }
      await save(
        'call-home',
        'import socket\n\ndef compute(candles):\n    socket.create_connection(("127.0.0.1", 9))\n',
      );
      expect((await compute('call-home')).text).toMatch(
        /^PERMISSION_DENIED: indicators\/call-home.py was stopped: socket.\w+ is not allowed/,
      );
    },
    SLOW,
  );

  it(
    'refuses a result of the wrong length, and code without compute()',
    async () => {
      await save('short', 'def compute(candles):\n    return [1.0]\n');
      expect((await compute('short')).text).toMatch(
        /^INVALID_ARGUMENT: indicators\/short.py: compute\(\) returned 1 values for 40 candles/,
      );
      const missing = await call(client, 'indicator_save_python', {
        name: 'nothing',
        source: 'x = 1\n',
      });
      expect(missing.text).toMatch(/must define a top-level function compute/);
    },
    SLOW,
  );
});

describe('isolation=container (the image: rlimits and the audit hook, no bubblewrap)', () => {
  it(
    'computes a user indicator and still stops a read outside the workspace and a loop',
    async () => {
      const second = await startAgent({
        WARMGATE_WORKSPACE: workspace,
        WARMGATE_AGENT_ISOLATION: 'container',
        WARMGATE_INDICATOR_TIMEOUT_MS: '2000',
      });
      const other = new Client({ name: 'agent-py-container', version: '0' });
      try {
        await other.connect(new StreamableHTTPClientTransport(second.url));
        const series = candles(40);
        const good = await call(other, 'indicator_compute', { name: 'detrend', candles: series });
        expect(good.isError, good.text).toBe(false);
        const peek = await call(other, 'indicator_compute', { name: 'peek', candles: series });
        expect(peek.text).toMatch(/^PERMISSION_DENIED: .*reading outside the workspace/);
        expect(peek.text).not.toContain('TOP-SECRET');
        const spin = await call(other, 'indicator_compute', { name: 'spin', candles: series });
        expect(spin.text).toMatch(/^DEADLINE_EXCEEDED/);
        expect(await ok(other, 'profile_get')).toMatchObject({ displayName: 'Ada' });
      } finally {
        await other.close();
        await second.stop();
      }
    },
    SLOW,
  );
});

describe('without isolation, over stdio', () => {
  it(
    'serves the resources but refuses user code (WARMGATE_AGENT_ISOLATION=none)',
    async () => {
      const python = await agentPython();
      const stdio = new Client({ name: 'agent-py-stdio', version: '0' });
      await stdio.connect(
        new StdioClientTransport({
          command: python,
          args: ['-m', 'warmgate_agent'],
          env: agentEnv({ WARMGATE_WORKSPACE: workspace, WARMGATE_AGENT_ISOLATION: 'none' }),
          stderr: 'pipe',
        }),
      );
      try {
        expect(await readJson(stdio, 'context://user-profile')).toMatchObject({
          displayName: 'Ada',
        });
        const refused = await call(stdio, 'indicator_compute', {
          name: 'detrend',
          candles: candles(10),
        });
        expect(refused.text).toMatch(
          /^FAILED_PRECONDITION: user-written Python indicators are refused here/,
        );
      } finally {
        await stdio.close();
      }
    },
    SLOW,
  );

  it(
    'names the bad setting and exits 2',
    async () => {
      const python = await agentPython();
      const failed = await run(python, ['-m', 'warmgate_agent'], {
        env: agentEnv({ WARMGATE_WORKSPACE: workspace, WARMGATE_AGENT_ISOLATION: 'maybe' }),
      }).catch((error: { code: number; stderr: string }) => error);
      expect(failed).toMatchObject({ code: 2 });
      expect((failed as { stderr: string }).stderr).toContain(
        "WARMGATE_AGENT_ISOLATION must be one of container, bwrap, none (got 'maybe')",
      );
    },
    SLOW,
  );
});
