// Which agents a benchmark measures side by side in one run (issue 14: the Python agent beside
// the TypeScript one): `--agents=typescript,python` (the default: both), any of
//   typescript      the pool manager's default agent
//   typescript-mcp  this repository's agent as a plain MCP server behind the sidecar's data plane
//   python          the Python reference agent (agent-py/) behind the same data plane
// Each figure is reported per agent, and every agent after the first as a ratio over the first
// (python / typescript), measured in the same run under the same load.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { agentCommands } from '@warmgate/testkit';
import type { Summary } from './harness.js';

export const BENCH_AGENTS = ['typescript', 'typescript-mcp', 'python'] as const;
export type BenchAgent = (typeof BENCH_AGENTS)[number];

/** The agents named by `--agents=` (default typescript,python), checked. */
export function benchAgents(argv: readonly string[] = process.argv): BenchAgent[] {
  const flag = argv.find((a) => a.startsWith('--agents='))?.slice('--agents='.length);
  const names = (flag ?? 'typescript,python').split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(BENCH_AGENTS as readonly string[]).includes(name)) {
      throw new Error(`--agents: ${name} is not one of ${BENCH_AGENTS.join(', ')}`);
    }
  }
  return names as BenchAgent[];
}

/** Makes the Python agent's pinned venv before anything is timed (a minute the first time). */
export async function prepareAgents(agents: readonly BenchAgent[]): Promise<void> {
  if (agents.includes('python')) {
    await promisify(execFile)(agentCommands.python[0], ['--venv'], { timeout: 600_000 });
  }
}

/** The pool manager's settings (WARMGATE_POOL_*) that make its containers run `agent`. */
export function agentPoolEnv(agent: BenchAgent): Record<string, string> {
  if (agent === 'typescript') return {};
  if (agent === 'typescript-mcp') return { WARMGATE_POOL_AGENT: 'typescript-mcp' };
  return {
    WARMGATE_POOL_AGENT: 'python',
    WARMGATE_POOL_AGENT_COMMANDS: JSON.stringify({ python: [...agentCommands.python] }),
  };
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : NaN);

/**
 * Rows of `<agent> / <baseline>` ratios (p50, p99) for each measure both have, e.g.
 * python / typescript for `small`, `large`, `tool_call_direct`.
 */
export function ratioRows(
  baseline: string,
  other: string,
  figures: Readonly<Record<string, Readonly<Record<string, Summary>>>>,
): Record<string, string | number>[] {
  const base = figures[baseline] ?? {};
  const them = figures[other] ?? {};
  return Object.keys(base)
    .filter((measure) => them[measure])
    .map((measure) => ({
      measure,
      [`${baseline}_p50_ms`]: base[measure]!.p50_ms,
      [`${other}_p50_ms`]: them[measure]!.p50_ms,
      p50_ratio: ratio(them[measure]!.p50_ms, base[measure]!.p50_ms),
      p99_ratio: ratio(them[measure]!.p99_ms, base[measure]!.p99_ms),
    }));
}

/** `{ measure: { p50, p99 } }` ratios of `other` over `baseline`, for the JSON result. */
export function ratios(
  base: Readonly<Record<string, Summary>>,
  them: Readonly<Record<string, Summary>>,
): Record<string, { p50: number; p99: number }> {
  return Object.fromEntries(
    Object.keys(base)
      .filter((measure) => them[measure])
      .map((measure) => [
        measure,
        {
          p50: ratio(them[measure]!.p50_ms, base[measure]!.p50_ms),
          p99: ratio(them[measure]!.p99_ms, base[measure]!.p99_ms),
        },
      ]),
  );
}
