// What the gateway costs: throughput against raw servers, throughput as connections grow,
// and memory per connection.
import { barChart, formatNumber, lineChart, type Bar } from './svg-chart.js';
import { ms, notMeasured, table, times } from './markdown.js';
import { at, loadRuns, num, resultOf, type Results } from './results.js';
import { section, type Section } from './section.js';

export function gatewayOverhead(results: Results): Section {
  const gateway = resultOf(results, 'gateway', 'npm run bench -- gateway');
  const adapter = resultOf(results, 'adapter', 'npm run bench -- adapter');
  const paragraphs: (string | undefined)[] = [
    'Throughput of the gateway relative to a raw server doing the same work on the same machine (ratio = gateway calls/s ÷ raw calls/s; 1.0 = no overhead).',
  ];
  const rows = [];
  const bars: Bar[] = [];
  const headlines = [];
  if (gateway.data) {
    for (const [key, label] of [
      ['ws', 'WebSocket CallTool vs raw uWebSockets.js'],
      ['grpc', 'gRPC CallTool vs raw grpc-js'],
    ] as const) {
      const ratio = num(gateway.data, `${key}_ratio`);
      rows.push([
        label,
        num(gateway.data, `details.${key}.raw.calls_per_s`),
        num(gateway.data, `details.${key}.gateway.calls_per_s`),
        ms(num(gateway.data, `details.${key}.gateway.p50_ms`)),
        times(ratio),
      ]);
      if (ratio !== undefined)
        bars.push({ label: key === 'ws' ? 'WebSocket' : 'gRPC', value: ratio });
    }
    const ws = num(gateway.data, 'ws_ratio');
    const grpc = num(gateway.data, 'grpc_ratio');
    if (ws !== undefined && grpc !== undefined)
      headlines.push(
        `Gateway throughput vs raw servers: WebSocket **${ws.toFixed(2)}×**, gRPC **${grpc.toFixed(2)}×**.`,
      );
    const proxied = num(gateway.data, 'proxy_added_p50_ms');
    if (proxied !== undefined)
      paragraphs.push(
        `A user tool proxied through the gateway to the agent adds **${formatNumber(proxied)} ms** at p50.`,
      );
    const overDirect = num(gateway.data, 'proxied_over_direct');
    const load = num(gateway.data, 'load_average');
    if (overDirect !== undefined)
      paragraphs.push(
        `User tool \`profile_get\` across ${num(gateway.data, 'details.proxy.users') ?? '?'} users: ` +
          `${formatNumber(num(gateway.data, 'proxied_calls_per_s') ?? 0)} calls/s through the gateway (gRPC) vs ` +
          `${formatNumber(num(gateway.data, 'direct_calls_per_s') ?? 0)} calls/s straight to each container's MCP address: ` +
          `**${overDirect.toFixed(2)}×** (goal ≥ 0.9)` +
          (load !== undefined ? `, load average ${load.toFixed(2)}.` : '.') +
          ' "Straight" is the sidecar’s data plane (`binding.mcpUrl`, with the assertion the gateway would send), called with the MCP SDK client: the path a direct-mode client takes, and since every agent sits behind the data plane the only way into an agent; both sides pay the sidecar and the agent. The two sides alternate in rounds (five since session 24) and each keeps its median round.',
      );
    paragraphs.push(proxyCpu(gateway.data));
  } else paragraphs.push(notMeasured(gateway.missing!));
  if (adapter.data) {
    const ratio = num(adapter.data, 'throughput_ratio');
    rows.push([
      'typed grpc-js adapter vs raw grpc-js (Echo)',
      num(adapter.data, 'raw.calls_per_s'),
      num(adapter.data, 'adapter.calls_per_s'),
      ms(num(adapter.data, 'adapter.p50_ms')),
      times(ratio),
    ]);
    if (ratio !== undefined) bars.push({ label: 'grpc-js adapter', value: ratio });
  } else paragraphs.push(notMeasured(adapter.missing!));
  if (rows.length > 0)
    paragraphs.splice(
      1,
      0,
      table(['path', 'raw calls/s', 'through Warmgate calls/s', 'p50', 'ratio'], rows),
    );
  const chart =
    bars.length > 0
      ? {
          file: 'gateway-overhead.svg',
          alt: 'gateway overhead ratios',
          svg: barChart({
            title: 'Throughput relative to a raw server (1.0 = no overhead)',
            unit: '×',
            bars,
          }),
        }
      : undefined;
  return section('Gateway overhead', paragraphs, [chart], headlines);
}

const rounds = (list: unknown) => (Array.isArray(list) ? list.join(' ') : '');

/** CPU per proxied call by process, both sides (bench gateway's proxy part), when measured. */
function proxyCpu(data: unknown): string | undefined {
  const cpu = (side: string) => at(data, `details.proxy.cpu_us_per_call.${side}`);
  if (!cpu('direct') || !cpu('gateway')) return undefined;
  const roles = ['client', 'stack', 'sidecars', 'agents'] as const;
  const row = (side: string, label: string) => {
    const values = roles.map((role) => num(cpu(side), role));
    return [
      label,
      ...values,
      values.reduce<number>((sum, v) => sum + (v ?? 0), 0),
      rounds(at(data, `details.proxy.rounds.${side}`)),
    ];
  };
  const all = num(data, 'details.proxy.cpu_direct_over_gateway');
  const servers = num(data, 'details.proxy.server_cpu_direct_over_gateway');
  return [
    'CPU µs per call by process in the same rounds (`/proc/<pid>/stat`; client = the bench process: the MCP SDK client straight, the gRPC client through the gateway; stack = gateway + pool manager; every sidecar and agent of the run):',
    table(
      ['side', 'client', 'stack', 'sidecars', 'agents', 'total', 'calls/s per round'],
      [row('direct', 'straight to the data plane'), row('gateway', 'through the gateway')],
    ),
    `CPU straight ÷ CPU through the gateway: ${all?.toFixed(3) ?? '?'} counting every process, ${servers?.toFixed(3) ?? '?'} for the servers alone. On two shared cores the rate follows the CPU: the ratio is the gateway's own CPU per call against everything else a call costs, so every saving in the sidecar or the agent lowers it. In five runs of the proxied comparison (\`npm run bench -- gateway\`, whole or \`--proxy-only\`; load average 14.5–28.4; two before and three after the hot-path changes of session 24) the rate ratio moved between 0.81 and 0.96 and the CPU ratio between 0.86 and 0.92: one run does not decide the goal. The gateway’s own CPU per call was 455–725 µs, its profile \`writev\` (20–25 % of its busy time: the request to the sidecar and the gRPC answer), garbage collection (13 %), undici’s request machinery, grpc-js and protobuf encoding; the sidecars spent 60–180 µs more per call on the gateway’s requests than on the SDK client’s in every run, not yet explained.`,
  ].join('\n\n');
}

/** Per connection level of ws-scale: calls/s and latency. */
function levels(data: unknown) {
  const run = loadRuns(data)[0];
  if (!run) return [];
  const stepS = Number(at(run.data, 'params.SCALE_STEP_S') ?? 10);
  const names = String(at(run.data, 'params.SCALE_LEVELS') ?? '')
    .split(',')
    .filter(Boolean);
  return names.map((level) => {
    const metric = `warmgate_tool_call{conns:${level}}`;
    const count = num(run.data, ['k6', metric, 'count']);
    return {
      conns: Number(level),
      callsPerS: count === undefined ? undefined : count / stepS,
      p50: num(run.data, ['k6', metric, 'med']),
      p95: num(run.data, ['k6', metric, 'p(95)']),
    };
  });
}

export function throughputVsConnections(results: Results): Section {
  const scale = resultOf(results, 'loadtest-ws-scale', 'npm run loadtest -- ws-scale');
  const paragraphs: (string | undefined)[] = [
    "Tool calls per second through the whole stack (k6 → WebSocket → gateway → platform tool) as the number of connections calling back to back grows; connections share four users, so agents are bound once. k6 runs on the same cores as the stack, so beyond a few connections the client's own CPU use is part of the curve; k6 times with 1 ms resolution.",
  ];
  if (!scale.data)
    return section('Throughput vs connections', [...paragraphs, notMeasured(scale.missing!)]);
  const rows = levels(scale.data);
  if (rows.length === 0)
    return section('Throughput vs connections', [
      ...paragraphs,
      notMeasured('the ws-scale result has no per-level metrics'),
    ]);
  paragraphs.push(
    table(
      ['connections', 'calls/s', 'p50', 'p95'],
      rows.map((r) => [r.conns, r.callsPerS, ms(r.p50), ms(r.p95)]),
    ),
  );
  const points = rows
    .filter((r) => r.callsPerS !== undefined)
    .map((r) => [r.conns, r.callsPerS!] as const);
  const best = rows.reduce((a, b) => ((b.callsPerS ?? 0) > (a.callsPerS ?? 0) ? b : a));
  const chart = {
    file: 'throughput-vs-connections.svg',
    alt: 'throughput vs connections',
    svg: lineChart({
      title: 'WebSocket tool calls/s vs connections',
      xLabel: 'connections',
      yLabel: 'calls/s',
      series: [{ name: 'calls/s', points }],
    }),
  };
  const headline =
    best.callsPerS !== undefined
      ? `Peak WebSocket throughput **${formatNumber(best.callsPerS)} tool calls/s** at ${best.conns} connections (whole stack, one machine).`
      : undefined;
  return section('Throughput vs connections', paragraphs, [chart], [headline]);
}

export function memoryPerConnection(results: Results): Section {
  const scale = resultOf(results, 'loadtest-ws-scale', 'npm run loadtest -- ws-scale');
  const gateway = resultOf(results, 'gateway', 'npm run bench -- gateway');
  const paragraphs: (string | undefined)[] = [
    'Resident memory added per open, authenticated, idle WebSocket connection: (RSS with the sockets open − RSS before) ÷ sockets open, sampled from /proc (the stack exposes no process memory metric).',
  ];
  const rows = [];
  const headlines = [];
  if (scale.data) {
    const run = loadRuns(scale.data)[0];
    const open = num(run?.data, 'observed.idle_connections');
    const idle = num(run?.data, 'observed.idle_stack_mib');
    const base = num(run?.data, 'memory.baseline_stack_mib');
    if (open && idle !== undefined && base !== undefined) {
      const kib = ((idle - base) * 1024) / open;
      rows.push([
        'whole stack (gateway + pool manager), k6 clients',
        open,
        `${formatNumber(base)} MiB`,
        `${formatNumber(idle)} MiB`,
        `${formatNumber(kib)} KiB`,
      ]);
      headlines.push(
        `Memory per idle WebSocket connection: **${formatNumber(kib)} KiB** (whole stack, ${open} sockets).`,
      );
    } else
      paragraphs.push(
        notMeasured(
          'ws-scale ran, but the idle-phase sample is missing (ran against --target, or no socket stayed open)',
        ),
      );
  } else paragraphs.push(notMeasured(scale.missing!));
  if (gateway.data) {
    const bytes = num(gateway.data, 'bytes_per_idle_ws_connection');
    const opened = num(gateway.data, 'details.idle.connections');
    rows.push([
      'gateway alone (bench gateway)',
      opened,
      undefined,
      undefined,
      bytes === undefined ? undefined : `${formatNumber(bytes / 1024)} KiB`,
    ]);
  } else paragraphs.push(notMeasured(gateway.missing!));
  if (rows.length > 0)
    paragraphs.splice(
      1,
      0,
      table(
        ['measured on', 'idle sockets', 'RSS before', 'RSS with sockets', 'per connection'],
        rows,
      ),
    );
  return section('Memory per connection', paragraphs, [], headlines);
}
