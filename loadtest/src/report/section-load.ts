// The k6 scenarios at a glance (thresholds, latencies, throughput, errors), the soak's memory
// growth, and the machine everything ran on.
import { formatNumber } from './svg-chart.js';
import { ms, notMeasured, percent, table, type Cell } from './markdown.js';
import { at, k6Stat, loadRuns, num, resultOf, type LoadRun, type Results } from './results.js';
import { section, type Section } from './section.js';

const scenarioNames = ['ws-chat', 'grpc-terminal', 'connect-storm', 'ws-scale', 'soak'];

export function loadScenarios(results: Results): Section {
  const rows: Cell[][] = [];
  const missing: string[] = [];
  const headlines = [];
  for (const name of scenarioNames) {
    const result = resultOf(results, `loadtest-${name}`, `npm run loadtest -- ${name}`);
    if (!result.data) {
      missing.push(`\`${name}\` — ${result.missing}`);
      continue;
    }
    for (const run of loadRuns(result.data)) rows.push(row(name, run));
    if (name === 'ws-chat' || name === 'grpc-terminal') {
      const run = loadRuns(result.data)[0];
      const p95 = run && k6Stat(run, 'warmgate_chat_turn', 'p(95)');
      if (run && p95 !== undefined) {
        headlines.push(
          `\`${name}\`: chat turn with a tool call p95 **${formatNumber(p95)} ms**; thresholds ${run.thresholdsPassed ? 'passed' : '**failed**'}.`,
        );
      }
    }
  }
  const paragraphs = [
    'Each scenario is a k6 script in `loadtest/k6/` run by `npm run loadtest -- <scenario>` against a stack the runner starts (offline model, local-process agents). "ok" is the share of operations that succeeded (`warmgate_ok`); latencies are k6\'s, measured at the client.',
    rows.length > 0
      ? table(
          [
            'scenario',
            'run',
            'thresholds',
            'ok',
            'iterations/s',
            'chat turn p95',
            'tool call p95',
            'connect p95',
            'failures',
          ],
          rows,
        )
      : undefined,
    missing.length > 0 ? `Not run: ${missing.join('; ')}.` : undefined,
  ];
  return section('Load scenarios (k6)', paragraphs, [], headlines);
}

function row(name: string, run: LoadRun): Cell[] {
  const connect =
    k6Stat(run, 'warmgate_ws_connect', 'p(95)') ?? k6Stat(run, 'ws_connecting', 'p(95)');
  return [
    name,
    run.label,
    run.thresholdsPassed ? 'pass' : '**FAIL**',
    percent(num(run.data, ['k6', 'warmgate_ok', 'value'])),
    k6Stat(run, 'iterations', 'rate'),
    ms(k6Stat(run, 'warmgate_chat_turn', 'p(95)')),
    ms(k6Stat(run, 'warmgate_tool_call', 'p(95)')),
    ms(connect),
    k6Stat(run, 'warmgate_failures', 'count') ?? 0,
  ];
}

export function soak(results: Results): Section {
  const result = resultOf(results, 'loadtest-soak', 'npm run loadtest -- soak');
  const intro =
    'A steady mix of web-chat users and gRPC terminals for a bounded time; the runner samples the resident memory of the stack process and of the agent processes once a second. Growth is the least-squares slope after the first quarter of the run.';
  if (!result.data) return section('Soak', [intro, notMeasured(result.missing!)]);
  const run = loadRuns(result.data)[0];
  if (!run) return section('Soak', [intro, notMeasured('the soak result has no run')]);
  const growth = num(run.data, 'memory.growth_mib_per_min');
  const rows = [
    [
      String(at(run.data, 'params.SOAK_DURATION') ?? '?'),
      run.thresholdsPassed ? 'pass' : '**FAIL**',
      percent(num(run.data, ['k6', 'warmgate_ok', 'value'])),
      k6Stat(run, 'warmgate_failures', 'count') ?? 0,
      num(run.data, 'memory.baseline_stack_mib'),
      num(run.data, 'memory.end_stack_mib'),
      growth,
      num(run.data, 'memory.peak_containers_mib'),
    ],
  ];
  const table_ = table(
    [
      'length',
      'thresholds',
      'ok',
      'failures',
      'stack MiB at start',
      'stack MiB at end',
      'growth MiB/min',
      'agents MiB (peak)',
    ],
    rows,
  );
  const headline =
    growth === undefined
      ? undefined
      : `Soak: stack memory growth **${formatNumber(growth)} MiB/min**, ${k6Stat(run, 'warmgate_failures', 'count') ?? 0} failed operations.`;
  return section('Soak', [intro, table_], [], [headline]);
}

export function machine(results: Results): Section {
  const metas = [...results.values()]
    .map((r) => at(r.data, '_meta'))
    .filter((m): m is Record<string, unknown> => typeof m === 'object' && m !== null);
  if (metas.length === 0)
    return section('Machine', [notMeasured('no results carry machine information')]);
  const m = at(metas[0], 'machine');
  const times = metas
    .map((x) => String(x.at ?? ''))
    .filter(Boolean)
    .sort();
  const loads = [...results.values()]
    .flatMap((r) => loadRuns(r.data))
    .map((run) => num(run.data, 'load_average_1m'))
    .filter((v): v is number => v !== undefined);
  const rows = [
    ['CPU', `${String(at(m, 'cpu_model') ?? '?')} × ${String(at(m, 'cpus') ?? '?')}`],
    ['memory', `${String(at(m, 'memory_gib') ?? '?')} GiB`],
    ['Node', String(at(m, 'node') ?? '?')],
    ['platform', String(at(m, 'platform') ?? '?')],
    ['results measured', times.length > 0 ? `${times[0]} … ${times.at(-1)}` : '?'],
  ];
  if (loads.length > 0) {
    const range = `${formatNumber(Math.min(...loads))} – ${formatNumber(Math.max(...loads))}`;
    rows.push(['load average (1 min) at the end of each k6 run', range]);
  }
  const note =
    'Every number comes from one machine shared with other work; treat absolute values as indicative and compare within a row.';
  return section('Machine', [table(['', ''], rows), note]);
}
