// One scenario end to end: for each of its runs, start the stack (or use --target), run k6,
// read the stack's counters and memory around it, stop what was started; then write
// bench-results/loadtest-<scenario>.json for the report.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { printTable, writeResult } from '../bench/harness.js';
import type { LoadtestArgs } from './cli-args.js';
import { runK6, type K6Summary } from './k6-run.js';
import { growthMiBPerMin, sampleMemory, type MemorySample } from './memory-sampler.js';
import type { Scenario, ScenarioRun } from './scenarios.js';
import { startStack, type RunningStack } from './stack-process.js';
import { counters, delta, poolHitRate, scrape } from './stack-metrics.js';
import type { Target } from './target.js';

export interface RunContextOptions {
  readonly repoRoot: string;
  readonly k6: string;
  /** Set by Ctrl-C: stop between runs. */
  readonly aborted: () => boolean;
}

/** The stack currently started, so Ctrl-C can stop it. */
export const live: { stack?: RunningStack } = {};

export async function runScenario(scenario: Scenario, args: LoadtestArgs, ctx: RunContextOptions) {
  const runs = [];
  for (const run of scenario.runs(args)) {
    if (ctx.aborted()) break;
    console.log(`\n=== loadtest ${scenario.name} [${run.label}] — ${scenario.about}`);
    runs.push(await runOnce(scenario, run, args, ctx));
  }
  const passed = runs.length > 0 && runs.every((r) => r.thresholds_passed);
  printTable(`${scenario.name}: runs side by side (client-side latencies, ms)`, runs.map(overview));
  writeResult(`loadtest-${scenario.name}`, { scenario: scenario.name, passed, runs });
  return passed;
}

async function runOnce(
  scenario: Scenario,
  run: ScenarioRun,
  args: LoadtestArgs,
  ctx: RunContextOptions,
) {
  const stateDir = await mkdtemp(join(tmpdir(), `warmgate-loadtest-${scenario.name}-`));
  const secret = randomBytes(24).toString('hex');
  let stack: RunningStack | undefined;
  let failed = true;
  try {
    if (!args.target) {
      console.log(`loadtest: starting the stack (state in ${stateDir})`);
      stack = await startStack({
        repoRoot: ctx.repoRoot,
        stateDir,
        env: { WARMGATE_AUTH_HS256_SECRET: secret, ...run.stackEnv },
        readyTimeoutMs: 120_000,
      });
      live.stack = stack;
    }
    if (ctx.aborted()) throw new Error('interrupted');
    const result = await measure(scenario, run, args, ctx, {
      stack,
      stateDir,
      // Against --target: the secret that stack was given, or none (public sessions).
      secret: stack ? secret : (args.secret ?? ''),
    });
    failed = !result.thresholds_passed;
    return result;
  } finally {
    if (stack) {
      console.log('loadtest: stopping the stack');
      await stack.stop();
      live.stack = undefined;
    }
    if (failed && stack) await keepLog(stack.logFile, `loadtest-${scenario.name}-${run.label}`);
    await rm(stateDir, { recursive: true, force: true });
  }
}

interface Under {
  readonly stack?: RunningStack;
  readonly stateDir: string;
  readonly secret: string;
}

/** prepare → counters and memory baseline → k6 (with `observe` alongside) → the run's result. */
async function measure(
  scenario: Scenario,
  run: ScenarioRun,
  args: LoadtestArgs,
  ctx: RunContextOptions,
  { stack, stateDir, secret }: Under,
) {
  const target: Target = stack?.target ?? {
    http: args.target!,
    grpc: args.grpcTarget ?? `${args.target!.replace(/:\d+$/, '')}:50051`,
  };
  const memory = stack ? sampleMemory(stack.pid, stack.containerPids) : undefined;
  try {
    await run.prepare?.({ target, memory });
    if (ctx.aborted()) throw new Error('interrupted');
    const baseline = await memory?.sample();
    const before = counters(await scrape(target));
    const observing = run.observe?.({ target, memory });
    const outcome = await runK6({
      k6: ctx.k6,
      script: join(ctx.repoRoot, 'loadtest', 'k6', scenario.script),
      summaryFile: join(stateDir, 'k6-summary.json'),
      timeoutMs: scenario.timeoutMs(args),
      env: {
        WARMGATE_HTTP_TARGET: target.http,
        WARMGATE_GRPC_TARGET: target.grpc,
        WARMGATE_LOADTEST_SECRET: secret,
        WARMGATE_LOADTEST_RUN: `${Date.now().toString(36)}-${run.label}`,
        WARMGATE_PROTO_ROOT: join(ctx.repoRoot, 'proto'),
        ...run.k6Env,
      },
    });
    const observed = (await observing?.catch(() => undefined)) ?? {};
    const stackDelta = delta(before, counters(await scrape(target)));
    memory?.stop();
    return {
      label: run.label,
      params: run.k6Env,
      exit_code: outcome.exitCode,
      // The machine is shared: how busy it was says how far to trust the latencies.
      load_average_1m: Math.round(loadavg()[0]! * 100) / 100,
      thresholds_passed: outcome.thresholdsPassed,
      k6: trimSummary(outcome.summary),
      stack: { ...stackDelta, pool_hit_rate: poolHitRate(stackDelta.claims) },
      memory: baseline ? memoryResult(baseline, memory!.samples, baseline.t) : undefined,
      observed,
    };
  } finally {
    memory?.stop();
  }
}

/** Keeps the stack's log of a failed run as bench-results/<name>.stack.log. */
async function keepLog(logFile: string, name: string): Promise<void> {
  const dir = join(process.cwd(), 'bench-results');
  await mkdir(dir, { recursive: true });
  const kept = join(dir, `${name}.stack.log`);
  await copyFile(logFile, kept).catch(() => undefined);
  console.log(`loadtest: the stack's log is kept in ${kept}`);
}

function memoryResult(baseline: MemorySample, samples: readonly MemorySample[], fromMs: number) {
  const during = samples.filter((s) => s.t >= fromMs);
  const peak = (pick: (s: MemorySample) => number) => Math.max(0, ...during.map(pick));
  const span = (during.at(-1)?.t ?? fromMs) - fromMs;
  return {
    baseline_stack_mib: baseline.stackMiB,
    peak_stack_mib: peak((s) => s.stackMiB),
    end_stack_mib: during.at(-1)?.stackMiB ?? baseline.stackMiB,
    // Skip the first quarter: start-up allocation is not growth.
    growth_mib_per_min: growthMiBPerMin(samples, fromMs + span / 4),
    peak_containers_mib: peak((s) => s.containersMiB),
    peak_container_processes: peak((s) => s.containerProcesses),
    samples: during.length,
  };
}

const keep = [
  'checks',
  'iterations',
  'dropped_iterations',
  'ws_connecting',
  'ws_sessions',
  'ws_msgs_sent',
  'ws_msgs_received',
  'grpc_req_duration',
  'grpc_streams',
  'iteration_duration',
];

/** k6's summary, limited to the metrics the report and an operator read. */
function trimSummary(summary: K6Summary | undefined) {
  if (!summary) return undefined;
  const out: K6Summary['metrics'] = {};
  for (const [name, metric] of Object.entries(summary.metrics)) {
    if (name.startsWith('warmgate_') || keep.includes(name)) out[name] = metric;
  }
  return out;
}

type RunResult = Awaited<ReturnType<typeof runOnce>>;

/** One row per run: what an operator looks at first. */
function overview(run: RunResult): Record<string, string | number> {
  const stat = (metric: string, key: string) => {
    const value = run.k6?.[metric]?.[key];
    return typeof value === 'number' ? Math.round(value * 10) / 10 : '-';
  };
  const rate = run.stack.pool_hit_rate;
  return {
    run: run.label,
    thresholds: run.thresholds_passed ? 'pass' : 'FAIL',
    ok: stat('warmgate_ok', 'value'),
    first_tool_result_med: stat('warmgate_first_tool_result', 'med'),
    first_tool_result_p95: stat('warmgate_first_tool_result', 'p(95)'),
    chat_turn_p95: stat('warmgate_chat_turn', 'p(95)'),
    tool_call_p95: stat('warmgate_tool_call', 'p(95)'),
    pool_hit_rate: rate === undefined ? '-' : rate,
    stack_peak_mib: run.memory?.peak_stack_mib ?? '-',
  };
}
