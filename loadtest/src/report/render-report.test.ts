import { describe, expect, it } from 'vitest';
import { renderReport } from './render-report.js';
import type { Results } from './results.js';
import { barChart, formatNumber, lineChart, niceMax } from './svg-chart.js';

const meta = (name: string) => ({
  _meta: {
    name,
    at: '2026-11-24T08:00:00.000Z',
    machine: {
      cpus: 2,
      cpu_model: 'Test CPU',
      memory_gib: 8,
      node: '22.23.3',
      platform: 'linux-x64',
    },
  },
});

const k6Run = (label: string, passed: boolean, metrics: Record<string, unknown>, extra = {}) => ({
  label,
  thresholds_passed: passed,
  k6: { warmgate_ok: { value: passed ? 1 : 0.5 }, iterations: { rate: 12.5 }, ...metrics },
  ...extra,
});

function fixtures(): Results {
  const data: Record<string, unknown> = {
    coldstart: {
      cold: { p50_ms: 880, p95_ms: 1200, p99_ms: 1300 },
      warm: { p50_ms: 220, p95_ms: 350, p99_ms: 380 },
      warm_parallel_20: { p50_ms: 900, p95_ms: 1500, p99_ms: 1600 },
      ratio_cold_over_warm_p50: 4,
      burst_over_sequential: 7.27,
      replenish_on_over_off: 1.5,
      e2e: {
        single_p50_ms: 240,
        burst_20_p99_ms: 3000,
        burst_over_single: 12.5,
        single: { p50_ms: 240, p95_ms: 300, p99_ms: 310 },
        burst_20: { p50_ms: 2500, p95_ms: 2900, p99_ms: 3000 },
      },
      load_average: { start: 6.5, after_pool_part: 7, end: 8.25 },
      ...meta('coldstart'),
    },
    bind: {
      small: { p50_ms: 18, p99_ms: 41 },
      large: { p50_ms: 160, p99_ms: 240 },
      large_copy_baseline: { p50_ms: 80, p99_ms: 100 },
      large_over_copy: 2,
      large_restore_in_process: { p50_ms: 120 },
      large_restore_in_process_cpu: { p50_ms: 90 },
      large_copy_in_process: { p50_ms: 100 },
      large_copy_in_process_cpu: { p50_ms: 75 },
      restore_cpu_over_copy_cpu: 1.2,
      load_average: { before: 5.5, after: 6 },
      ...meta('bind'),
    },
    gateway: {
      ws_ratio: 0.62,
      grpc_ratio: 0.81,
      bytes_per_idle_ws_connection: 3072,
      details: {
        ws: { raw: { calls_per_s: 20000 }, gateway: { calls_per_s: 12400, p50_ms: 0.2 } },
        grpc: { raw: { calls_per_s: 9000 }, gateway: { calls_per_s: 7290, p50_ms: 0.3 } },
        idle: { connections: 1000 },
      },
      ...meta('gateway'),
    },
    profile: {
      roles: [
        {
          role: 'agent',
          processes: 42,
          busy_ms: 9000,
          profiled_ms: 60000,
          packages: [{ name: '@modelcontextprotocol/sdk', ms: 3000, share: 0.333 }],
          functions: [
            {
              name: 'compileSourceTextModule node:internal/modules/esm/utils:344',
              ms: 900,
              share: 0.1,
            },
            { name: 'internalModuleStat', ms: 180, share: 0.02 },
            { name: 'parse', ms: 90, share: 0.01 },
          ],
        },
      ],
      load_average: { start: 4, end: 9.5 },
      ...meta('profile'),
    },
    adaptive: {
      adaptive: {
        pool: 'adaptive',
        warm_hit_rate: 0.84,
        cold_starts: 500,
        avg_idle_containers: 1.5,
      },
      fixed: { pool: 'fixed 2', warm_hit_rate: 0.6, cold_starts: 900, avg_idle_containers: 2 },
      predictive: {
        pool: 'predictive',
        warm_hit_rate: 0.96,
        cold_starts: 120,
        avg_idle_containers: 1.9,
      },
      days: [
        {
          day: 'holiday',
          about: 'market closed',
          connects: 348,
          adaptive: { warm_hit_rate: 0.945, avg_idle_containers: 1 },
          predictive: { warm_hit_rate: 0.99, avg_idle_containers: 1.5 },
          fixed: [
            { pool: 'fixed 1', warm_hit_rate: 0.945, avg_idle_containers: 1 },
            { pool: 'fixed 2', warm_hit_rate: 1, avg_idle_containers: 2 },
          ],
          fixed_at_predictive_idle: 0.9725,
        },
      ],
      load_average: [1.5, 1.2, 1],
      ...meta('adaptive'),
    },
    'loadtest-connect-storm': {
      runs: [
        k6Run(
          'warm',
          true,
          { warmgate_first_tool_result: { med: 310, 'p(95)': 420, max: 450, count: 8 } },
          {
            stack: { claims: { warm: 8 }, coldStarts: 0, pool_hit_rate: 1 },
          },
        ),
        k6Run(
          'empty',
          true,
          { warmgate_first_tool_result: { med: 2900, 'p(95)': 4100, max: 4300, count: 8 } },
          {
            stack: { claims: { cold: 8 }, coldStarts: 8, pool_hit_rate: 0 },
          },
        ),
      ],
      ...meta('loadtest-connect-storm'),
    },
    'loadtest-ws-scale': {
      runs: [
        k6Run(
          'default',
          true,
          {
            'warmgate_tool_call{conns:1}': { count: 3000, med: 2, 'p(95)': 4 },
            'warmgate_tool_call{conns:4}': { count: 9000, med: 3, 'p(95)': 8 },
          },
          {
            params: { SCALE_LEVELS: '1,4', SCALE_STEP_S: '10' },
            observed: { idle_connections: 50, idle_stack_mib: 130 },
            memory: { baseline_stack_mib: 120 },
          },
        ),
      ],
      ...meta('loadtest-ws-scale'),
    },
    'loadtest-ws-chat': {
      runs: [
        k6Run(
          'default',
          true,
          { warmgate_chat_turn: { 'p(95)': 240 }, warmgate_failures: { count: 0 } },
          { load_average_1m: 3.5 },
        ),
      ],
      ...meta('loadtest-ws-chat'),
    },
  };
  return new Map(Object.entries(data).map(([name, value]) => [name, { data: value }]));
}

describe('renderReport', () => {
  it('puts the numbers of the results into tables, headlines and charts', () => {
    const { markdown, charts } = renderReport(fixtures());
    expect(markdown).toContain('A warm claim is **4×** faster than a cold start');
    expect(markdown).toContain(
      '**310 ms** (median) with a warm pool vs **2,900 ms** with an empty one',
    );
    expect(markdown).toContain('WebSocket **0.62×**, gRPC **0.81×**');
    expect(markdown).toContain('| 0.62× |');
    expect(markdown).toContain('(small repository): **41 ms** p99');
    expect(markdown).toContain('| bind, large repository | 160 ms | 240 ms |');
    expect(markdown).toContain(
      '| restore from one pack, as the store keeps it (write files and index) | 120 ms | 90 ms |',
    );
    expect(markdown).toContain('Restore CPU / copy CPU (p50): **1.20×**, load average 5.50.');
    expect(markdown).toContain(
      '**agents**: 42 process(es), busy 9000 ms in all; loading modules (compiling and resolving, among the functions listed) takes at least 12.0 % of it',
    );
    expect(markdown).toContain('| `@modelcontextprotocol/sdk` | 3,000 | 33.3 % |');
    expect(markdown).toContain('`@modelcontextprotocol/sdk` takes the largest share (33.3 %)');
    expect(markdown).toContain('same run): **2.00×** (goal ≤ 1.5×), load average 5.50.');
    expect(markdown).toContain('| burst of 20: p99 / sequential warm p50 | 7.27× | ≤ 4× |');
    expect(markdown).toContain('| end to end: 20 at once p99 / one user p50 | 12.50× | ≤ 5× |');
    expect(markdown).toContain('(load average 6.50 at the start, 8.25 at the end)');
    expect(markdown).toContain('| 20 new users at once | 2,500 ms | 2,900 ms | 3,000 ms |');
    expect(markdown).toContain('| tool call, read (MCP direct) | — | — |');
    // 3000 calls in a 10 s step, and 9000: 300 and 900 calls/s.
    expect(markdown).toMatch(/\| 4 \| 900 \| 3 ms \| 8 ms \|/);
    expect(markdown).toContain('**900 tool calls/s** at 4 connections');
    // (130 − 120) MiB over 50 sockets = 204.8 KiB.
    expect(markdown).toContain('**205 KiB**');
    expect(markdown).toContain('| warm pool | 8 | — | 0 | 100.0 % |');
    expect(markdown).toContain('| predictive | 96.0 % | 120 | 1.90 |');
    expect(markdown).toContain(
      '| holiday (market closed) | 348 | 94.5 % / 1.00 | 99.0 % / 1.50 | 97.3 % | 94.5 % / 1.00 | 100.0 % / 2.00 |',
    );
    expect(markdown).toContain('load average 1.5 1.2 1)');
    expect(markdown).toContain(
      'Simulated trading day: the predictive pool serves **96.0 %** of claims warm at **1.90** idle containers on average (reactive adaptive: 84.0 % at 1.50).',
    );
    expect(markdown).toContain('Test CPU × 2');
    expect(markdown).toContain('| load average (1 min) at the end of each k6 run | 3.50 – 3.50 |');
    expect(markdown).not.toMatch(/NaN|undefined|\[object Object\]/);
    expect(charts.map((c) => c.file).sort()).toEqual([
      'cold-vs-warm.svg',
      'gateway-overhead.svg',
      'pool-hit-rate.svg',
      'throughput-vs-connections.svg',
    ]);
    for (const chart of charts) {
      expect(chart.svg.startsWith('<svg')).toBe(true);
      expect(chart.svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(markdown).toContain(`(benchmarks/${chart.file})`);
    }
  });

  it('renders a document with the reason for every missing number', () => {
    const { markdown, charts } = renderReport(new Map());
    expect(charts).toEqual([]);
    expect(markdown).toContain('_No results yet._');
    expect(markdown).toContain(
      'no bench-results/coldstart.json — run `npm run bench -- coldstart`',
    );
    expect(markdown).toContain('no bench-results/loadtest-ws-scale.json');
    expect(markdown).toContain('## Machine');
  });

  it('names a result that is not valid JSON instead of failing', () => {
    const results: Results = new Map([
      ['gateway', { error: 'bench-results/gateway.json is not valid JSON (x)' }],
    ]);
    expect(renderReport(results).markdown).toContain(
      'bench-results/gateway.json is not valid JSON',
    );
  });

  it('tolerates results of an unexpected shape', () => {
    const results: Results = new Map([
      ['coldstart', { data: { cold: 'fast' } }],
      ['loadtest-connect-storm', { data: { runs: 'none' } }],
      ['loadtest-ws-scale', { data: [] }],
    ]);
    const { markdown } = renderReport(results);
    expect(markdown).not.toMatch(/NaN|undefined/);
    expect(markdown).toContain('## Throughput vs connections');
  });
});

describe('svg charts', () => {
  it('rounds axes up to 1/2/5 steps', () => {
    expect([0, 0.7, 3, 7, 10, 11, 4300].map(niceMax)).toEqual([0, 1, 5, 10, 10, 20, 5000]);
  });

  it('formats numbers for people', () => {
    expect([2900, 310.4, 12.34, 1.234, 0.1234].map(formatNumber)).toEqual([
      '2,900',
      '310',
      '12.3',
      '1.23',
      '0.12',
    ]);
  });

  it('escapes labels and draws one bar per value', () => {
    const svg = barChart({
      title: 'a < b',
      unit: 'ms',
      bars: [
        { label: '<x>', value: 1 },
        { label: 'y', value: 2 },
      ],
    });
    expect(svg).toContain('a &lt; b');
    expect(svg).toContain('&lt;x&gt;');
    expect(svg.match(/<rect /g)).toHaveLength(3); // background + 2 bars
  });

  it('draws a point per line value', () => {
    const svg = lineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 's',
          points: [
            [1, 2],
            [4, 8],
          ],
        },
      ],
    });
    expect(svg.match(/<circle /g)).toHaveLength(2);
  });
});
