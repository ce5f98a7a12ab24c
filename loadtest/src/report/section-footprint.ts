// What a warm container costs while nobody uses it (bench-results/footprint.json).
import { formatNumber } from './svg-chart.js';
import { ms, notMeasured, table, times } from './markdown.js';
import { at, num, resultOf, type Json, type Results } from './results.js';
import { section, type Section } from './section.js';

const mib = (v: number | undefined) => (v === undefined ? undefined : `${formatNumber(v)} MiB`);
const pct = (v: number | undefined) => (v === undefined ? undefined : `${v.toFixed(3)} %`);

export function footprint(results: Results): Section {
  const result = resultOf(results, 'footprint', 'npm run bench -- footprint');
  const paragraphs: (string | undefined)[] = [
    'What the warm pool costs while nobody uses it, against a bare `node -e` process measured in the same run (ratios; the load average is printed beside them, since this machine is shared). Resident memory is VmRSS from `/proc/<pid>/status`; PSS (`/proc/<pid>/smaps_rollup`) divides the pages Node processes share (the `node` binary, mostly) between them, so it is closer to what one more container adds. A warm container is two processes, the agent and its sidecar (local runtime).',
  ];
  const headlines: string[] = [];
  const data = result.data;
  if (!data) {
    paragraphs.push(notMeasured(result.missing!));
    return section('Footprint of a warm container', paragraphs);
  }
  const goal = (key: string) => {
    const held = at(data, ['goals_held', key]);
    const limit = num(data, ['goals', key]);
    return held === undefined
      ? '—'
      : `≤ ${formatNumber(limit ?? NaN)}: ${held ? 'held' : 'missed'}`;
  };
  const load = `load average ${formatNumber(num(data, 'load_average.before') ?? NaN)} → ${formatNumber(num(data, 'load_average.after') ?? NaN)}`;
  paragraphs.push(
    `**The TypeScript agent** (${load}, ${num(data, 'setup.warm') ?? '?'} warm containers, idle window ${formatNumber((num(data, 'setup.idle_window_ms') ?? NaN) / 1000)} s)`,
    table(
      ['measure', 'value', 'over bare node', 'goal'],
      [
        ['bare `node -e` (RSS)', mib(num(data, 'bare_node_rss_mib')), '1.00×', ''],
        [
          'warm container: agent + sidecar (RSS)',
          mib(num(data, 'warm_container_rss_mib')),
          times(num(data, 'container_over_bare')),
          goal('container_over_bare'),
        ],
        ['agent (RSS)', mib(num(data, 'agent_rss_mib')), times(num(data, 'agent_over_bare')), ''],
        [
          'sidecar (RSS)',
          mib(num(data, 'sidecar_rss_mib')),
          times(num(data, 'sidecar_over_bare')),
          goal('sidecar_over_bare'),
        ],
        ['warm container (PSS)', mib(num(data, 'warm_container_pss_mib')), undefined, ''],
        [
          `idle CPU of 20 warm containers (of one core)`,
          pct(num(data, 'idle_cpu_pct_20_containers')),
          undefined,
          goal('idle_cpu_pct_20_containers'),
        ],
        [
          'pool manager meanwhile (its health probes)',
          pct(num(data, 'idle.pool_manager_cpu_pct')),
          undefined,
          `${num(data, 'idle.health_probes') ?? '?'} probes`,
        ],
        [
          'bound container: growth after 1,000 tool calls + 20 turns',
          mib(num(data, 'bound_growth_mib_1000_calls')),
          undefined,
          goal('bound_growth_mib_1000_calls'),
        ],
        [
          'first tool call after bind (MCP side loaded at bind)',
          ms(num(data, 'bound.first_call_after_bind_ms')),
          undefined,
          '',
        ],
        [
          'start to ready: container vs `node -e` (p50)',
          ms(num(data, 'start_to_ready_ms')),
          times(num(data, 'start_to_ready_over_bare')),
          'reported',
        ],
      ],
    ),
  );
  const perGib = num(data, 'warm_containers_per_gib');
  const perGibPss = num(data, 'warm_containers_per_gib_pss');
  if (perGib !== undefined) {
    paragraphs.push(
      `**Warm containers per GiB**: ${formatNumber(perGib)} by resident memory (each counted alone), ${formatNumber(perGibPss ?? NaN)} by PSS (shared pages split, what one more container adds on a node that runs many).`,
    );
    headlines.push(
      `A warm container is **${formatNumber(num(data, 'container_over_bare') ?? NaN)}×** a bare Node process (RSS): **${formatNumber(perGib)} warm containers per GiB** (${formatNumber(perGibPss ?? NaN)} by PSS).`,
    );
  }
  const agents = at(data, 'agents');
  if (agents && typeof agents === 'object' && Object.keys(agents).length > 1) {
    const row = (name: string, a: Json) => [
      name,
      num(a, 'processes'),
      mib(num(a, 'warm_container_rss_mib')),
      times(num(a, 'container_over_bare')),
      mib(num(a, 'agent_rss_mib')),
      num(a, 'processes') === 1 ? 'in the agent' : mib(num(a, 'sidecar_rss_mib')),
      pct(num(a, 'idle_cpu_pct_20_containers')),
      mib(num(a, 'bound_growth_mib_1000_calls')),
      times(num(a, 'start_to_ready_over_bare')),
    ];
    paragraphs.push(
      '**Every agent measured in this run**',
      table(
        [
          'agent',
          'processes',
          'container RSS',
          'over bare',
          'agent',
          'sidecar',
          'idle CPU ×20',
          'bound growth',
          'start over bare',
        ],
        Object.entries(agents as Record<string, Json>).map(([name, a]) => row(name, a)),
      ),
    );
  }
  paragraphs.push(FINDINGS);
  return section('Footprint of a warm container', paragraphs, [], headlines);
}

/** What the measurements before the cuts found (issue 19); the numbers above are the result. */
const FINDINGS = [
  '**Where the memory went, and what was cut.** Measured by timing `import()` of each module in a fresh process with `process.memoryUsage()` after a forced GC (`node --expose-gc`), and by starting one container by hand with different Node flags (load average 18–21 on 2 cores, so the times are loose; the memory is not):',
  table(
    ['what', 'resident memory it adds', 'now'],
    [
      [
        '`node:http` (first use of Node’s own lazily loaded code)',
        '+11–14 MiB',
        'kept: both processes serve HTTP',
      ],
      [
        '`@bufbuild/protobuf` (via `@warmgate/proto`, even for its error codes)',
        '+10–17 MiB',
        'kept: `errors.ts` needs the generated enums; an entry point without protobuf for the agent is the next cut',
      ],
      ['`@grpc/grpc-js`', '+1–9 MiB', 'sidecar only (was in the agent too)'],
      [
        'MCP SDK (`types`, `server/mcp`, `server/streamableHttp`)',
        '+19 MiB',
        'agent: loaded at bind (was in both processes)',
      ],
      ['`zod`', '+4 MiB', 'agent: at bind (the former control API checked its commands by hand)'],
      ['`trading-signals` + analysis', '+2 MiB', 'agent: at bind'],
      ['sidecar restore path (git, checkout)', '+5–6 MiB', 'kept: warmed up before ready'],
      [
        'young generation (16 MiB semi-spaces)',
        '+10–12 MiB per process',
        '`--max-semi-space-size=1`',
      ],
    ],
  ),
  '`main.ts` imported all three roles, so every process loaded the agent, the sidecar and the stdio server: that alone was most of the difference to a bare process. `--lite-mode` and `--jitless` cannot be used (they turn off WebAssembly, which Node’s `fetch` (undici) needs); `--optimize-for-size` and `--v8-pool-size=0` gave 0–3 MiB more, within noise, and are not set.',
  '**What wakes an idle container.** Neither process has an interval of its own (no `setInterval`; the HTTP keep-alive and gRPC channels are idle sockets). The only periodic work is the pool manager’s background health probe: every `WARMGATE_POOL_HEALTH_INTERVAL` it sends `Lifecycle.GetStatus` to each idle warm container, which the sidecar answers by probing its agent over MCP (one gRPC call + one HTTP request, waking both processes; it asked the agent’s control API, since removed, when this was measured). The interval is now 5 min (it was 5 s, then 30 s): a warm container that died since its last probe is caught on the claim anyway (its bind fails `UNAVAILABLE` and the claim takes another; on Docker the death is also heard at once from Docker’s events), so the probe only keeps the claim path free of a health round trip, and a container unprobed for 10 min (twice the interval) is checked on borrow instead. Readiness is already an event (the ready file, watched with inotify, with a 250 ms fallback poll only while a container starts). In Kubernetes the kubelet’s readiness probes (every 2 s, `httpGet /healthz` on the agent, TCP on the sidecar) wake each pod too; they are left as they are (the pool manager waits for pod readiness).',
  '**What stands in the way of the goals.** (1) Two Node processes cannot be 2× one: each pays Node’s own ~45 MiB plus `node:http` and the protobuf runtime, so the two-process container stays near 3.5×; the one-process container (`WARMGATE_POOL_AGENT_PROCESSES=1`, role `container`) is under 2× but is not the default, since it puts the agent in the sidecar’s process and environment (the sidecar’s store credential included). (2) A Node sidecar with gRPC is about 1.7× a bare process; 1.2× needs a sidecar without Node (Go or Rust) or without grpc-js. (3) Idle CPU was the health probe after all, measured by hand on one idle agent + sidecar pair started with the pool manager’s Node flags (`--max-semi-space-size=1`), 60 s after ready, load average 14–17: with no probe, 0–1 clock tick (10 ms) in 60 s for the pair, and `strace -f -c` of both processes over 60 s counts 11 `epoll_pwait` returns in all (no timer of their own fires); with `Lifecycle.GetStatus` every 30 s on a kept-open channel, 6 ticks in 148 s for 5 probes; every 1 s, 60 ticks for 55 probes: about 12 ms of CPU per probe (agent 3.5, sidecar 7.5: a gRPC call plus the sidecar’s HTTP call to the agent’s control API (since removed), on code V8 has cooled since the last one). At 30 s that is 40 probes a minute for 20 containers, and in the footprint run the whole idle CPU. Hence the 5 min default: 4 probes a minute for 20 containers. `WARMGATE_FOOTPRINT_HEALTH_BEFORE=30s WARMGATE_FOOTPRINT_ONLY=typescript,typescript-health-30s npm run bench -- footprint` measured both in one run (load average 6.97 at the start, 3.40 at the end): 20 idle warm containers used **0.217 %** of a core with the 5 min default (no probe fell in the 60 s window; agents 0.183 %, sidecars 0.033 %, pool manager 0.295 %) against **1.283 %** with 30 s (40 probes; agents 0.467 %, sidecars 0.817 %, pool manager 0.789 %): about 16 ms of container CPU per probe. Averaged over 5 min the probes add 20 × 16 ms / 300 s ≈ 0.11 %, so about 0.33 % in all, under the 0.5 % goal. What is left without probes is mostly the agents (V8 settling after the MCP side loads at ready). (4) Bound growth: the bound agent ends lower than before (145 MiB against 154 MiB after the same work), but it starts 26 MiB lower (the MCP side, ~12 MiB, now comes with the bind, and a 1 MiB young generation promotes more to the old generation under work, which V8 keeps): the growth itself is not yet cut. (5) The price of loading the MCP side at bind: in the same run (one sample each, load 12 against 6) Bind took 194 ms and the first tool call after it 135 ms, against 56 ms and 89 ms for the build that loaded everything up front; the import runs in the agent while it handles the bind. The sidecar now tells the agent to start the import (`/_lifecycle/prepare`) as soon as it receives Bind, so the import overlaps the restore (which runs in the sidecar’s process); that change came after this run; the rerun (one sample, load average 17.8 falling to 5) read Bind 341 ms and first call 181 ms with it, so it has not been shown to help, and the lazy MCP side is a real cost on the connect path until `npm run bench -- bind` says otherwise.',
  '**Memory limits from these figures.** Chart: agent requests 128 MiB (warm 76, bound 145), limit 512 MiB; sidecar requests 96 MiB (was 64, below its 78 MiB), limit 256 MiB; both with `NODE_OPTIONS=--max-semi-space-size=1`. Docker runtime (built in parallel): a two-process container needs about 230 MiB bound, so `--memory=384m` leaves room for a large repository; a one-process container `--memory=256m`.',
].join('\n\n');
