// Where the warm path spends its CPU: bench-results/profile.json (`npm run bench -- profile`),
// V8 CPU profiles of every process during a burst of new users, by process role.
import { notMeasured, table } from './markdown.js';
import { at, num, resultOf, type Json, type Results } from './results.js';
import { section, type Section } from './section.js';

const ROLE_LABELS: Record<string, string> = {
  stack: 'gateway + pool manager (one process, `npm start`)',
  agent: 'agents',
  sidecar: 'sidecars',
  other: 'other Node processes',
};

/** Node's module loader: compiling (ESM, CommonJS, its own built-ins) and resolving files. */
const MODULE_LOADING = /node:internal\/(modules\/|bootstrap\/realm)|^internalModuleStat\b/;

/** The share of busy time in module loading, summed over the listed (top) functions. */
function moduleLoadingShare(role: Json): number {
  const items = at(role, 'functions');
  return (Array.isArray(items) ? items : [])
    .filter((item: Json) => MODULE_LOADING.test(String(at(item, 'name'))))
    .reduce((sum: number, item: Json) => sum + (num(item, 'share') ?? 0), 0);
}

export function warmPathProfile(results: Results): Section {
  const profile = resultOf(results, 'profile', 'npm run bench -- profile');
  const paragraphs: (string | undefined)[] = [
    'Where the CPU goes while new users connect: every process of the stack runs under `node --cpu-prof` (2 new users one at a time, then 20 at once, warm pool of 20, replenishment on), and each role’s busy time — the profiler’s non-idle samples, which on a loaded machine include time spent waiting for a core — is split by package and by function (self time). Agents and sidecars include their own start-up: the replacements the pool starts after the burst are part of what the burst costs. Profiling slows every process, so read shares here, not latencies.',
  ];
  const headlines: string[] = [];
  if (!profile.data) {
    paragraphs.push(notMeasured(profile.missing!));
    return section('Where the warm path spends its time', paragraphs);
  }
  const roles = at(profile.data, 'roles');
  const list: Json[] = Array.isArray(roles) ? roles : [];
  const pct = (share: number | undefined) =>
    share === undefined ? undefined : `${(share * 100).toFixed(1)} %`;
  const shares = (role: Json, key: string, n: number) => {
    const items = at(role, key);
    return (Array.isArray(items) ? items : [])
      .slice(0, n)
      .map((item: Json) => [
        `\`${String(at(item, 'name'))}\``,
        num(item, 'ms'),
        pct(num(item, 'share')),
      ]);
  };
  for (const role of list) {
    const name = String(at(role, 'role'));
    const busy = num(role, 'busy_ms');
    const loading = moduleLoadingShare(role);
    paragraphs.push(
      `**${ROLE_LABELS[name] ?? name}**: ${num(role, 'processes') ?? '?'} process(es), busy ${busy ?? '?'} ms in all` +
        (loading > 0
          ? `; loading modules (compiling and resolving, among the functions listed) takes at least ${pct(loading)} of it`
          : ''),
      table(['package', 'ms', 'share'], shares(role, 'packages', 6)),
      table(['function (self time)', 'ms', 'share'], shares(role, 'functions', 8)),
    );
    const [topPackage] = shares(role, 'packages', 1);
    if (name === 'agent' && topPackage)
      headlines.push(
        `Agent CPU during a burst of new users: ${topPackage[0]} takes the largest share (${topPackage[2]}).`,
      );
  }
  const start = num(profile.data, 'load_average.start');
  const end = num(profile.data, 'load_average.end');
  if (start !== undefined && end !== undefined)
    paragraphs.push(`Load average ${start.toFixed(2)} at the start, ${end.toFixed(2)} at the end.`);
  return section('Where the warm path spends its time', paragraphs, [], headlines);
}
