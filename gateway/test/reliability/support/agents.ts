// The agents a fault test runs its split stack with (issue 14: one contract, two agents):
// `typescript`, the pool manager's default agent, and `python`, the Python reference agent
// (agent-py/) behind the sidecar's data plane, named as `npm start` names it with
// WARMGATE_AGENT=python (stack/src/agent-choice.ts).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const FAULT_AGENTS = ['typescript', 'python'] as const;
export type FaultAgent = (typeof FAULT_AGENTS)[number];

const PYTHON_AGENT = fileURLToPath(
  new URL('../../../../agent-py/bin/warmgate-agent-py', import.meta.url),
);

/**
 * The pool manager's settings that make its containers run `agent`. For python it first makes
 * the agent's pinned venv (a minute the first time; reused afterwards), so no container start
 * waits for pip.
 */
export async function agentPoolEnv(agent: FaultAgent): Promise<Record<string, string>> {
  if (agent === 'typescript') return {};
  await promisify(execFile)(PYTHON_AGENT, ['--venv'], { timeout: 600_000 });
  return {
    WARMGATE_POOL_AGENT: 'python',
    WARMGATE_POOL_AGENT_COMMANDS: JSON.stringify({ python: [PYTHON_AGENT] }),
    WARMGATE_AGENT_ISOLATION: 'bwrap',
  };
}
