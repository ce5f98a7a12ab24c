// Where a cheap tool call spends its CPU: bench-results/mcp-rate.json (`npm run bench --
// mcp-rate --cpu-prof=DIR`), a profile_get flood on one agent, alone and behind the sidecar's
// data plane, with the agent's CPU time per call and, when profiled, its top functions.
import { notMeasured, table } from './markdown.js';
import { at, num, resultOf, type Json, type Results } from './results.js';
import { section, type Section } from './section.js';

const TARGETS: Record<string, string> = {
  agent: 'the agent alone (role `mcp`, called on its socket)',
  'data-plane': 'through the sidecar’s data plane (assertion checked, forwarded)',
};

export function toolCallCpu(results: Results): Section {
  const rate = resultOf(results, 'mcp-rate', 'npm run bench -- mcp-rate --cpu-prof=/tmp/prof');
  const paragraphs: (string | undefined)[] = [
    'One bound container as the local runtime starts it (the TypeScript agent, role `mcp`, behind the sidecar’s data plane) answers `profile_get` (a cheap read) from 8 kept-alive sockets for 5 s, first called straight on the agent’s socket, then through the sidecar; the client sends pre-built JSON-RPC bodies, so the agent is what is measured. CPU per call is the agent process’s own CPU time (`/proc/<pid>/stat`, all its threads) over the calls answered, so it holds on a loaded machine; calls per CPU-second is its rate on one core (goal ≥ 1,500). The figures come from runs without the profiler; the function tables from profiled runs after them (self time of the profiler’s non-idle samples).',
    'What the profile showed before this was changed (same flood, profiled, load average 11–13; then the default agent was role `agent`, checking the assertion itself): the agent spent **1,946 µs of CPU per call (514 calls per CPU-second)**, behind the data plane 1,830 µs in the agent and 1,356 µs in the sidecar. Its largest self times were the workspace read through `fs/promises` (`openFileHandle`, `close`, `read`, `fstat`: 19 % of busy time alone, 33 % behind the data plane; ~70–100 µs of CPU per small file in thread-pool hand-offs against ~2 µs read in place), socket writes of an SSE answer per call (`writeUtf8String`, `writev`), the HS256 assertion check on every request (`node:internal/crypto/util`, 6 % in the agent, 15 % of the sidecar), and the SDK transport’s per-request conversion to a Web `Request` through `@hono/node-server` with an SSE `ReadableStream` answer and a zod parse of each message. Per new session the SDK also wrapped every tool’s raw shape in a new zod object (recompiled on first use) and converted all schemas to JSON Schema at each `tools/list` (30–160 ms). Changed since: the agent’s own node:http transport (JSON answers; SSE only once progress is sent), verified assertions remembered per binding until they expire, workspace reads in place, one zod schema per tool per process, `tools/list` answered once per process and computed while warm.',
    'The data plane’s share, in four runs of this flood (load average 3.6–11.6): the sidecar spends 138–162 µs of CPU per call, the same before and after the changes below within the noise of the machine. Its largest self time is `writev` (27–35 %: one write per hop, the request to the agent on its Unix socket and the answer to the caller on loopback TCP), then node:http’s client and server machinery (`addRequest`, `ClientRequest`, header parsing, each under 2.5 %). A bare node:http server answering the same body costs 16–20 µs of CPU per request on this machine and its client 23–27 µs, so the two HTTP hops, not the data plane’s own checks, are most of it; the assertion check no longer shows (remembered per binding). Changed: request and answer bodies are read with stream events, not async iterators (`createAsyncIterator` and `eos` left the profile), the agent deadline is a plain timer, not an AbortSignal per request. The flood keeps both processes hot; across 50 users (`bench gateway`, “Gateway overhead”) each container gets a few calls per second and its processes run cold: 1,450–1,900 µs of sidecar CPU and 1,250–1,400 µs of agent CPU per call, about ten times the flood’s.',
  ];
  if (!rate.data) {
    paragraphs.push(notMeasured(rate.missing!));
    return section('Where a tool call spends its CPU', paragraphs);
  }
  const details = at(rate.data, 'details');
  const profiled = at(rate.data, 'profiled');
  const rows = (Array.isArray(details) ? details : []).map((d: Json) => {
    const target = String(at(d, 'target'));
    const under = (Array.isArray(profiled) ? profiled : []).find(
      (p: Json) => at(p, 'target') === target,
    );
    return [
      TARGETS[target] ?? target,
      num(d, 'agent_cpu_us_per_call'),
      num(d, 'agent_calls_per_cpu_s'),
      num(d, 'sidecar_cpu_us_per_call'),
      num(d, 'wall_calls_per_s'),
      under ? num(under, 'agent_cpu_us_per_call') : undefined,
    ];
  });
  const start = num(rate.data, 'load_average.start');
  const end = num(rate.data, 'load_average.end');
  paragraphs.push(
    table(
      [
        'agent',
        'agent CPU µs / call',
        'calls per agent CPU-second',
        'sidecar CPU µs / call',
        'calls/s (wall, shared machine)',
        'agent CPU µs / call, profiled',
      ],
      rows,
    ),
    `Load average ${start?.toFixed(2) ?? '?'} at the start, ${end?.toFixed(2) ?? '?'} at the end.`,
  );
  const profiles = at(rate.data, 'profiles');
  const pct = (share: number | undefined) =>
    share === undefined ? undefined : `${(share * 100).toFixed(1)} %`;
  if (profiles && typeof profiles === 'object') {
    for (const [target, roles] of Object.entries(profiles as Record<string, Json>)) {
      for (const role of Array.isArray(roles) ? roles : []) {
        const name = String(at(role, 'role'));
        // The Lifecycle sidecar of the `agent` role is not on the call path (start-up only).
        if (target === 'agent' && name === 'sidecar') continue;
        const functions = at(role, 'functions');
        paragraphs.push(
          `**${name} process, ${TARGETS[target] ?? target}** (profiled, busy ${num(role, 'busy_ms') ?? '?'} ms)`,
          table(
            ['function (self time)', 'ms', 'share'],
            (Array.isArray(functions) ? functions : [])
              .slice(0, 8)
              .map((f: Json) => [
                `\`${String(at(f, 'name'))}\``,
                num(f, 'ms'),
                pct(num(f, 'share')),
              ]),
          ),
        );
      }
    }
  }
  const perCore = num(rate.data, 'agent_calls_per_cpu_s');
  return section(
    'Where a tool call spends its CPU',
    paragraphs,
    [],
    [
      perCore !== undefined
        ? `One agent answers **${perCore.toLocaleString('en-US')} \`profile_get\` calls per CPU-second** (goal ≥ 1,500; 514 before the per-call work was cut).`
        : undefined,
    ],
  );
}
