// `WARMGATE_AGENT` for `npm start`: which agent the stack's pool runs (issue 14).
//   typescript      (default) Warmgate's agent as a plain MCP server behind the sidecar's data plane
//   typescript-mcp  the same (an alias)
//   python          the Python reference agent (agent-py/), behind the same data plane
// It fills the pool manager's settings (WARMGATE_POOL_AGENT, WARMGATE_POOL_AGENT_COMMANDS)
// unless they are set, and for python makes its pinned venv before any container starts (the
// first time takes a minute: pip installs the mcp SDK and numpy). With
// WARMGATE_POOL_RUNTIME=docker python is its image instead (WARMGATE_POOL_AGENT_IMAGES,
// warmgate/agent-py:dev from `npm run images`), and the container isolates user code.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const AGENTS = ['typescript', 'typescript-mcp', 'python'] as const;
const PYTHON_IMAGE = 'warmgate/agent-py:dev';
const PYTHON_AGENT = fileURLToPath(
  new URL('../../agent-py/bin/warmgate-agent-py', import.meta.url),
);

/** Sets the pool manager's agent settings in `env` from WARMGATE_AGENT; throws on a bad value. */
export async function applyAgentChoice(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const agent = env.WARMGATE_AGENT?.trim() || 'typescript';
  if (!(AGENTS as readonly string[]).includes(agent)) {
    throw new Error(`WARMGATE_AGENT must be one of ${AGENTS.join(', ')} (got ${agent})`);
  }
  if (agent === 'typescript') return agent;
  env.WARMGATE_POOL_AGENT ||= agent;
  if (agent === 'python' && env.WARMGATE_POOL_RUNTIME === 'docker') {
    env.WARMGATE_POOL_AGENT_IMAGES ||= JSON.stringify({ python: PYTHON_IMAGE });
  } else if (agent === 'python') {
    env.WARMGATE_POOL_AGENT_COMMANDS ||= JSON.stringify({ python: [PYTHON_AGENT] });
    // User-written Python indicators run only where something isolates them: on the local
    // runtime, bubblewrap (agent-py/README.md).
    env.WARMGATE_AGENT_ISOLATION ||= 'bwrap';
    console.log('warmgate: preparing the Python agent (its venv; a minute the first time)…');
    await promisify(execFile)(PYTHON_AGENT, ['--venv'], { timeout: 600_000 });
  }
  return agent;
}
