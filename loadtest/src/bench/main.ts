// The one benchmark entry: `npm run bench -- <name>` (or `all`, or `list`).
// Each benchmark is a module here exporting `run(): Promise<void>` that prints a table and
// writes bench-results/<name>.json through the harness.

/** name → module (relative to this folder) and what it measures. Later issues add theirs here. */
const benchmarks: Record<string, { module: string; about: string }> = {
  adapter: {
    module: './adapter.js',
    about: 'grpc-js adapter unary calls vs raw grpc-js (same server)',
  },
  gateway: {
    module: './gateway.js',
    about: 'gateway WS/gRPC vs raw uWS/grpc-js, proxied user tools, idle WS memory',
  },
  'mcp-rate': {
    module: './mcp-rate.js',
    about:
      'profile_get calls per second of agent CPU (agent alone, and behind the data-plane sidecar); --cpu-prof=DIR',
  },
  adaptive: {
    module: './adaptive.js',
    about:
      'predictive vs adaptive vs fixed warm pools over five trading days (simulation, virtual clock)',
  },
  bind: {
    module: './bind.js',
    about:
      'agent container: Lifecycle.Bind latency (10-file and 1,000-file repos), direct MCP tool calls',
  },
  coldstart: {
    module: './coldstart.js',
    about: 'cold start vs warm claim + bind with real agent processes (local runtime)',
  },
  'coldstart-docker': {
    module: './coldstart-docker.js',
    about:
      'cold start on Docker containers vs warm claim; Docker warm claim vs local warm claim (same run)',
  },
  footprint: {
    module: './footprint.js',
    about:
      'warm container memory (RSS, PSS), idle CPU of 20, bound growth, start to ready vs bare node',
  },
  profile: {
    module: './warm-path-profile.js',
    about:
      'CPU profiles (node --cpu-prof) of gateway, pool manager, agents and sidecars during a burst of new users, by role',
  },
  faults: {
    module: './faults.js',
    about:
      'mixed load with agents killed at random: requests served, errors by kind, acknowledged writes lost',
  },
  abuse: {
    module: './abuse.js',
    about:
      "a signed-in user's latency alone and under an anonymous flood (500 WS + 50 gRPC), and the ratio",
  },
  loadtest: {
    module: '../loadtest/bench-entry.js',
    about: 'k6 scenarios (ws-chat, grpc-terminal, connect-storm, ws-scale) on a stack it starts',
  },
  report: {
    module: '../report/main.js',
    about: 'docs/benchmarks.md + charts from bench-results/*.json (last in `all`)',
  },
};

async function main(args: string[]) {
  const [name] = args;
  if (!name || name === 'list' || name === '--help') {
    console.log('usage: npm run bench -- <name>|all\n');
    for (const [key, { about }] of Object.entries(benchmarks))
      console.log(`  ${key.padEnd(12)} ${about}`);
    return name ? 0 : 2;
  }
  // `all` ends with the report, so it reads every result this run wrote.
  const names =
    name === 'all'
      ? [...Object.keys(benchmarks).filter((key) => key !== 'report'), 'report']
      : [name];
  for (const key of names) {
    const bench = benchmarks[key];
    if (!bench) {
      console.error(`unknown benchmark "${key}"; known: ${Object.keys(benchmarks).join(', ')}`);
      return 2;
    }
    console.log(`\n=== bench: ${key} — ${bench.about}`);
    const module = (await import(bench.module)) as { run: () => Promise<void> };
    await module.run();
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
