// Cold start on Docker containers (bench coldstart-docker): the honest container cold start,
// the warm claim on Docker, and the local runtime's warm claim measured in the same run.
import { formatNumber } from './svg-chart.js';
import { ms, notMeasured, table, times } from './markdown.js';
import { at, num, resultOf, type Results } from './results.js';
import { section, type Section } from './section.js';

export function coldStartDocker(results: Results): Section {
  const r = resultOf(results, 'coldstart-docker', 'npm run bench -- coldstart-docker');
  const paragraphs: (string | undefined)[] = [
    'Agent containers on Docker (`WARMGATE_POOL_RUNTIME=docker`, images from `npm run images`): cold = container created → started → ready (agent + sidecar containers) → bound to the user’s 200-file / 2 MB repository (put in the container’s own folder by the pool manager at claim, moved into place by the sidecar); warm = a warm container claimed and bound. The local runtime’s warm claim is measured in the same run: containers must cost nothing on the claim path.',
  ];
  const headlines: string[] = [];
  if (!r.data) {
    paragraphs.push(notMeasured(r.missing!));
    return section('Cold start on Docker containers', paragraphs, [], headlines);
  }
  const row = (label: string, prefix: string, key: string) => [
    label,
    ms(num(r.data, `${prefix}${key}.p50_ms`)),
    ms(num(r.data, `${prefix}${key}.p95_ms`)),
    ms(num(r.data, `${prefix}${key}.p99_ms`)),
  ];
  paragraphs.push(
    table(
      ['claim', 'p50', 'p95', 'p99'],
      [
        row('docker cold', '', 'cold'),
        row('docker warm', '', 'warm'),
        row('docker warm, 20 at once', '', 'warm_parallel_20'),
        row('local warm (same run)', 'local.', 'warm'),
        row('local warm, 20 at once (same run)', 'local.', 'warm_parallel_20'),
        row('local warm, same HTTP store as docker', 'local_http_store.', 'warm'),
      ],
    ),
  );
  const ratio = num(r.data, 'ratio_cold_over_warm_p50');
  const overLocal = num(r.data, 'ratio_docker_over_local_warm_p50');
  paragraphs.push(
    table(
      ['ratio', 'measured', 'goal'],
      [
        ['docker cold / docker warm (p50)', times(ratio), '≥ 50×'],
        ['docker warm / local warm (p50)', times(overLocal), '≤ 1.2×'],
        [
          'docker warm / local warm, same HTTP store (p50): what containers cost',
          times(num(r.data, 'ratio_docker_over_local_http_store_warm_p50')),
          '≤ 1.2×',
        ],
      ],
    ),
  );
  paragraphs.push(
    'At claim the pool manager puts the user’s repository from the store in the container’s own folder (object files hard-linked where the container can neither write nor chmod them, else copied), and the sidecar renames it to the workspace’s `.git` and checks out in process as the local runtime does: no git traffic on the bind path. Pushes after the bind go to the store over HTTP through the container’s `store.sock`, with a per-binding credential; the container never sees the store folder. The third ratio puts the local runtime on the HTTP store, which still clones: the restore a Docker bind no longer does. Figures measured on a loaded machine move with the load average printed below.',
  );
  const phases = phaseTable(r.data);
  if (phases) paragraphs.push(phases);
  const sizes = at(r.data, 'image_sizes_bytes');
  if (sizes && typeof sizes === 'object' && !Array.isArray(sizes)) {
    paragraphs.push(
      table(
        ['image', 'size'],
        Object.entries(sizes).map(([image, bytes]) => [
          image,
          `${formatNumber(Number(bytes) / 1e6)} MB`,
        ]),
      ),
    );
  }
  const load = at(r.data, 'loadavg');
  if (load && typeof load === 'object' && !Array.isArray(load)) {
    paragraphs.push(
      `Load average (1/5/15 min): ${Object.entries(load)
        .map(([when, value]) => `${when.replace(/_/g, ' ')} ${String(value)}`)
        .join('; ')}.`,
    );
  }
  if (ratio !== undefined)
    headlines.push(
      `On Docker, a warm claim is **${formatNumber(ratio)}×** faster than a container cold start (p50).`,
    );
  return section('Cold start on Docker containers', paragraphs, [], headlines);
}

/** The sequential warm claim phase by phase (p50) on each runtime, from the same run. */
function phaseTable(data: unknown): string | undefined {
  const runs = [
    ['docker', 'phases.docker.warm'],
    ['local', 'phases.local.warm'],
    ['local, HTTP store', 'phases.local_http_store.warm'],
  ] as const;
  const names = new Set<string>();
  for (const [, path] of runs) {
    const phases = at(data, path);
    if (phases && typeof phases === 'object') {
      for (const [name, value] of Object.entries(phases)) {
        if (value && typeof value === 'object') names.add(name);
      }
    }
  }
  if (names.size === 0) return undefined;
  return table(
    ['sequential warm claim, p50 of each phase', ...runs.map(([label]) => label)],
    [...names].map((name) => [
      name,
      ...runs.map(([, path]) => ms(num(at(data, path), [name, 'p50_ms']))),
    ]),
  );
}
