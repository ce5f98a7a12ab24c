// Cold start vs warm claim, and the pool's hit rate under a burst.
import { barChart, formatNumber, type Bar } from './svg-chart.js';
import { ms, notMeasured, percent, table, times } from './markdown.js';
import { k6Stat, loadRuns, num, resultOf, type Results } from './results.js';
import { section, type Section } from './section.js';

export function coldVsWarm(results: Results): Section {
  const cold = resultOf(results, 'coldstart', 'npm run bench -- coldstart');
  const storm = resultOf(results, 'loadtest-connect-storm', 'npm run loadtest -- connect-storm');
  const paragraphs: (string | undefined)[] = [
    'How long a user waits for an agent: a container created on demand (cold) against a pre-warmed one claimed and bound to the user (warm). First inside the pool manager (Acquire → bound, real agent processes), then end to end through the gateway (WebSocket connect → first tool result) during a burst of new users.',
  ];
  const bars: Bar[] = [];
  const headlines = [];
  if (cold.data) {
    const rows = (['cold', 'warm', 'warm_parallel_20'] as const).map((key) => [
      key === 'warm_parallel_20' ? 'warm, 20 at once' : key,
      ms(num(cold.data, `${key}.p50_ms`)),
      ms(num(cold.data, `${key}.p95_ms`)),
      ms(num(cold.data, `${key}.p99_ms`)),
    ]);
    paragraphs.push(
      '**Pool manager: Acquire until bound**',
      table(['claim', 'p50', 'p95', 'p99'], rows),
    );
    for (const key of ['cold', 'warm', 'warm_parallel_20']) {
      const v = num(cold.data, `${key}.p50_ms`);
      if (v !== undefined)
        bars.push({
          label: `pool ${key.replace('_parallel_20', ' ×20')}`,
          value: v,
          series: 'pool manager',
        });
    }
    const ratioRows = [
      ['burst of 20: p99 / sequential warm p50', 'burst_over_sequential', '≤ 4×'],
      ['claims, replenishment on / held (p50)', 'replenish_on_over_off', '≤ 1.2×'],
      ['end to end: 20 at once p99 / one user p50', 'e2e.burst_over_single', '≤ 5×'],
    ].map(([label, key, goal]) => [label, times(num(cold.data, key!)), goal]);
    const loadStart = num(cold.data, 'load_average.start');
    const loadEnd = num(cold.data, 'load_average.end');
    if (ratioRows.some((r) => r[1] !== undefined))
      paragraphs.push(
        '**Ratios measured in one run**' +
          (loadStart !== undefined && loadEnd !== undefined
            ? ` (load average ${loadStart.toFixed(2)} at the start, ${loadEnd.toFixed(2)} at the end)`
            : ''),
        table(['ratio', 'measured', 'goal'], ratioRows),
      );
    if (num(cold.data, 'e2e.single_p50_ms') !== undefined) {
      const e2eRows = [
        ['one new user at a time', 'e2e.single'],
        ['20 new users at once', 'e2e.burst_20'],
      ].map(([label, key]) => [
        label,
        ms(num(cold.data, `${key}.p50_ms`)),
        ms(num(cold.data, `${key}.p95_ms`)),
        ms(num(cold.data, `${key}.p99_ms`)),
      ]);
      paragraphs.push(
        '**End to end through the gateway: WebSocket connect → authenticated → first `profile_get` result (warm pool of 20, replenishment on)**',
        table(['users', 'p50', 'p95', 'p99'], e2eRows),
      );
    }
    const ratio = num(cold.data, 'ratio_cold_over_warm_p50');
    if (ratio !== undefined)
      headlines.push(
        `A warm claim is **${formatNumber(ratio)}×** faster than a cold start (p50, pool manager).`,
      );
  } else paragraphs.push(notMeasured(cold.missing!));
  paragraphs.push(replenishCompare(results));
  paragraphs.push(bindTable(results, headlines));
  if (storm.data) {
    const runs = loadRuns(storm.data);
    const rows = runs.map((run) => [
      `${run.label} pool`,
      k6Stat(run, 'warmgate_first_tool_result', 'count'),
      ms(k6Stat(run, 'warmgate_first_tool_result', 'med')),
      ms(k6Stat(run, 'warmgate_first_tool_result', 'p(95)')),
      ms(k6Stat(run, 'warmgate_first_tool_result', 'max')),
      run.thresholdsPassed ? 'pass' : 'FAIL',
    ]);
    paragraphs.push(
      '**End to end: connect → first tool result, burst of new users**',
      table(['pool', 'users', 'median', 'p95', 'max', 'thresholds'], rows),
    );
    for (const run of runs) {
      const v = k6Stat(run, 'warmgate_first_tool_result', 'med');
      if (v !== undefined)
        bars.push({ label: `burst, ${run.label} pool`, value: v, series: 'end to end (median)' });
    }
    const warm = runs.find((r) => r.label === 'warm');
    const empty = runs.find((r) => r.label === 'empty');
    const w = warm && k6Stat(warm, 'warmgate_first_tool_result', 'med');
    const e = empty && k6Stat(empty, 'warmgate_first_tool_result', 'med');
    if (w !== undefined && e !== undefined) {
      headlines.push(
        `Burst of new users: first tool result after **${formatNumber(w)} ms** (median) with a warm pool vs **${formatNumber(e)} ms** with an empty one.`,
      );
    }
  } else paragraphs.push(notMeasured(storm.missing!));
  const chart =
    bars.length > 0
      ? {
          file: 'cold-vs-warm.svg',
          alt: 'cold vs warm claim latency',
          svg: barChart({ title: 'Cold start vs warm claim (p50 / median)', unit: 'ms', bars }),
        }
      : undefined;
  return section('Cold start vs warm claim', paragraphs, [chart], headlines);
}

/** `coldstart --compare-replenish-concurrency`: replacements all at once vs at most 2, one run. */
function replenishCompare(results: Results): string | undefined {
  const data = results.get('coldstart-replenish-compare')?.data;
  if (!data) return undefined;
  const rows = [
    ['all at once (`WARMGATE_POOL_REPLENISH_CONCURRENCY=0`)', 'before'],
    ['at most 2 at once (the local default)', 'after'],
  ].map(([label, key]) => [
    label,
    ms(num(data, `${key}.single_p50_ms`)),
    ms(num(data, `${key}.burst_20_p99_ms`)),
    times(num(data, `${key}.burst_over_single`)),
    num(data, `${key}.load_average`)?.toFixed(2),
  ]);
  return [
    '**End to end, replacements started all at once vs at most 2 at once** (`npm run bench -- coldstart --compare-replenish-concurrency`: one stack after the other in one run, one burst each)',
    table(['replacements', 'one user p50', '20 at once p99', 'ratio', 'load average'], rows),
  ].join('\n\n');
}

/** The agent's share of a warm connect: Lifecycle.Bind (restore the user's repository). */
function bindTable(results: Results, headlines: string[]): string {
  const bind = resultOf(results, 'bind', 'npm run bench -- bind');
  if (!bind.data) return notMeasured(bind.missing!);
  const rows = [
    ['bind, small repository', 'small'],
    ['bind, large repository', 'large'],
    ['plain copy of the large repository’s files', 'large_copy_baseline'],
    ['tool call, read (MCP direct)', 'tool_call_direct'],
    ['tool call, write (commit + push)', 'tool_call_write'],
  ].map(([label, key]) => [
    label,
    ms(num(bind.data, `${key}.p50_ms`)),
    ms(num(bind.data, `${key}.p99_ms`)),
  ]);
  const overCopy = num(bind.data, 'large_over_copy');
  const load = num(bind.data, 'load_average.before');
  const small = num(bind.data, 'small.p99_ms');
  if (small !== undefined)
    headlines.push(
      `Binding a warm container to a user (small repository): **${formatNumber(small)} ms** p99.`,
    );
  return [
    '**Agent side: Lifecycle.Bind and tool calls (real agent processes, real git)**',
    table(['step', 'p50', 'p99'], rows),
    overCopy === undefined
      ? ''
      : `Large bind / plain copy of the same files (p50, same run): **${times(overCopy)}** (goal ≤ 1.5×)` +
        (load !== undefined ? `, load average ${load.toFixed(2)}.` : '.'),
    bindInProcess(bind.data, load),
  ].join('\n\n');
}

/** Where a large bind's time goes: the restore alone, in process, against a plain copy. */
function bindInProcess(data: unknown, load: number | undefined): string {
  const ratio = num(data, 'restore_cpu_over_copy_cpu');
  if (ratio === undefined) return '';
  const rows = [
    [
      'restore from one pack, as the store keeps it (write files and index)',
      'large_restore_in_process',
    ],
    ['restore from loose objects, as the store kept them before', 'large_restore_loose_in_process'],
    ['plain copy of the same files (`cpSync`)', 'large_copy_in_process'],
  ]
    .filter(([, key]) => num(data, `${key}.p50_ms`) !== undefined)
    .map(([label, key]) => [
      label,
      ms(num(data, `${key}.p50_ms`)),
      ms(num(data, `${key}_cpu.p50_ms`)),
    ]);
  const loose = num(data, 'loose_cpu_over_packed_cpu');
  return [
    "**Where a large bind spends its time** (the 1,000-file / 10 MB restore called in the bench process, alternating with a plain copy; CPU time includes the thread pool). Profiled with `node --cpu-prof` and `strace -c` (restore alone, in process, load average 5–8): with the store keeping a loose file per object (each push of under 100 objects was unpacked), a bind linked about a thousand object files into 256 fan-out folders and opened and read each back; after file creation, which a plain copy pays too (about 50 µs per new file on this machine, for the restore and for `cp` alike), the largest cost was inflating the objects (about 45 ms of CPU of 110–120 for these 10 MB of text; an earlier profile put it under 3 %, on a generator whose 1,000 files were ~420 repeated blobs), then linking and reading the loose objects and making their folders (about 10 ms). Now the store keeps each push as the one pack it arrived as (`receive.unpackLimit = 1`; receive-pack's own gc folds 50 packs into one inside a push), so a bind links two files; a workspace pushes uncompressed packs (`pack.compression = 0`), and the checkout writes such an object straight from the pack buffer, checked against the pack index's CRC, instead of inflating it into a new buffer; the pack, refs and HEAD are read with synchronous calls (on a busy machine each thread-pool hop waited for a core: about 20 ms per restore idle), and the index takes each file's stat data from the open file. What is left above a copy: creating the files (`open` with `O_CREAT`, over half of a restore's time, and a copy's too), the index and the buffers, and, in a real Bind, the gRPC round trip and the agent's hand-over (a small bind's whole cost). A restore's first run in a fresh process costs about twice a later one (in process, load average ~9: 131–149 ms of CPU, then 68–80 ms), and a warm container's sidecar binds exactly once; warming the restore up on a 200-file repository first did not lower it, so it is not the checkout's own JIT. File creation's system time also swings from run to run, for a copy too (four plain copies in a row in one process, load average ~8: 69–86, 51–63, 46–56, 69–86 ms, nearly all system time), which is why single runs of this ratio move as much as they do. A prepared `.git` skeleton in the warm container no longer pays: a packed bind makes six folders. Materialising only what is read is what would go below a copy.",
    table(['step', 'wall p50', 'CPU p50'], rows),
    `Restore CPU / copy CPU (p50): **${times(ratio)}**` +
      (loose !== undefined
        ? `; from loose objects / from one pack, CPU: **${times(loose)}**`
        : '') +
      (load !== undefined ? `, load average ${load.toFixed(2)}.` : '.'),
  ].join('\n\n');
}

export function poolHitRate(results: Results): Section {
  const storm = resultOf(results, 'loadtest-connect-storm', 'npm run loadtest -- connect-storm');
  const adaptive = resultOf(results, 'adaptive', 'npm run bench -- adaptive');
  const paragraphs: (string | undefined)[] = [
    "The share of new bindings served from a warm container (warm claims / (warm + cold)), read from the stack's own `/metrics` (`warmgate_pool_claim_duration` by source) around each burst, and over a simulated trading day for the adaptive pool against the best fixed size.",
  ];
  const bars: Bar[] = [];
  const headlines = [];
  if (storm.data) {
    const rows = loadRuns(storm.data).map((run) => {
      const rate = num(run.data, 'stack.pool_hit_rate');
      if (rate !== undefined)
        bars.push({
          label: `burst, ${run.label} pool`,
          value: rate * 100,
          series: 'burst (measured)',
        });
      return [
        `${run.label} pool`,
        num(run.data, 'stack.claims.warm'),
        num(run.data, 'stack.claims.cold'),
        num(run.data, 'stack.coldStarts'),
        percent(rate),
      ];
    });
    paragraphs.push(
      table(['burst against', 'warm claims', 'cold claims', 'cold starts', 'hit rate'], rows),
    );
    const warmRate = num(
      loadRuns(storm.data).find((r) => r.label === 'warm')?.data,
      'stack.pool_hit_rate',
    );
    if (warmRate !== undefined)
      headlines.push(
        `Pool hit rate in a burst against a warm pool: **${(warmRate * 100).toFixed(0)} %**.`,
      );
  } else paragraphs.push(notMeasured(storm.missing!));
  if (adaptive.data) {
    const keys = (['predictive', 'adaptive', 'fixed'] as const).filter(
      (key) => num(adaptive.data, `${key}.warm_hit_rate`) !== undefined,
    );
    const rows = keys.map((key) => {
      const rate = num(adaptive.data, `${key}.warm_hit_rate`);
      const name = String((adaptive.data as Record<string, { pool?: string }>)[key]?.pool ?? key);
      if (rate !== undefined)
        bars.push({ label: `day, ${name}`, value: rate * 100, series: 'trading day (simulated)' });
      return [
        name,
        percent(rate),
        num(adaptive.data, `${key}.cold_starts`),
        num(adaptive.data, `${key}.avg_idle_containers`),
      ];
    });
    const predictive = num(adaptive.data, 'predictive.warm_hit_rate');
    const reactive = num(adaptive.data, 'adaptive.warm_hit_rate');
    if (predictive !== undefined && reactive !== undefined)
      headlines.push(
        `Simulated trading day: the predictive pool serves **${percent(predictive) as string}** of claims warm at **${formatNumber(num(adaptive.data, 'predictive.avg_idle_containers') ?? 0)}** idle containers on average (reactive adaptive: ${percent(reactive) as string} at ${formatNumber(num(adaptive.data, 'adaptive.avg_idle_containers') ?? 0)}).`,
      );
    paragraphs.push(
      '**Simulated trading day (pool core on a virtual clock)**',
      table(['pool', 'hit rate', 'cold starts', 'avg idle containers'], rows),
      ...simulatedDays(adaptive.data),
    );
  } else paragraphs.push(notMeasured(adaptive.missing!));
  const chart =
    bars.length > 0
      ? {
          file: 'pool-hit-rate.svg',
          alt: 'pool hit rate',
          svg: barChart({ title: 'Warm pool hit rate', unit: '%', bars }),
        }
      : undefined;
  return section('Pool hit rate under a burst', paragraphs, [chart], headlines);
}

interface DayOutcome {
  warm_hit_rate: number;
  avg_idle_containers: number;
}

interface SimulatedDay {
  day: string;
  about: string;
  connects: number;
  adaptive: DayOutcome;
  predictive: DayOutcome;
  fixed: (DayOutcome & { pool: string })[];
  fixed_at_predictive_idle: number;
  variants?: (DayOutcome & { pool: string; fixed_at_same_idle: number })[];
}

/** The five-day table of `bench -- adaptive` (hit rate / average idle containers per pool). */
function simulatedDays(data: unknown): string[] {
  const days = (data as { days?: SimulatedDay[] }).days;
  if (!Array.isArray(days) || days.length === 0) return [];
  const cell = (o: DayOutcome | undefined) =>
    o === undefined
      ? undefined
      : `${percent(o.warm_hit_rate) as string} / ${o.avg_idle_containers.toFixed(2)}`;
  const fixedNames = days[0]!.fixed.map((f) => f.pool);
  const rows = days.map((d) => [
    `${d.day} (${d.about})`,
    d.connects,
    cell(d.adaptive),
    cell(d.predictive),
    percent(d.fixed_at_predictive_idle),
    ...fixedNames.map((name) => cell(d.fixed.find((f) => f.pool === name))),
  ]);
  const load = (data as { load_average?: number[] }).load_average;
  const versus = (o: DayOutcome, fixedRate: number) =>
    `${cell(o) as string} (${o.warm_hit_rate >= fixedRate ? '+' : '−'}${(Math.abs(o.warm_hit_rate - fixedRate) * 100).toFixed(1)})`;
  const variantNames = (days[0]!.variants ?? []).map((v) => v.pool);
  const variants =
    variantNames.length === 0
      ? []
      : [
          'Predictive sizer settings on the same days (hit rate / average idle; in brackets the hit rate minus that of the fixed pools at the same idle, in points). The default is `max(history, reactive)` at 25 saved cold starts per warm container-hour with the quiet-day price; `blend surplus` sizes once from `max(forecast, recent rate)`.',
          table(
            ['day', 'default', ...variantNames],
            days.map((d) => [
              d.day,
              versus(d.predictive, d.fixed_at_predictive_idle),
              ...variantNames.map((name) => {
                const v = d.variants?.find((x) => x.pool === name);
                return v === undefined ? undefined : versus(v, v.fixed_at_same_idle);
              }),
            ]),
          ),
        ];
  return [
    `**Five simulated days, each after four days of history** (hit rate / average idle containers; "fixed at same idle" interpolates the fixed pools' hit rate at the predictive pool's average idle count${load ? `; load average ${load.join(' ')}` : ''})`,
    table(['day', 'connects', 'adaptive', 'predictive', 'fixed at same idle', ...fixedNames], rows),
    ...variants,
  ];
}
