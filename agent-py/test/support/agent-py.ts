// The Python agent for tests: its venv (made from agent-py/requirements.txt on first use by
// agent-py/bin/warmgate-agent-py, under ${XDG_CACHE_HOME:-~/.cache}/warmgate/agent-py-<hash>,
// reused afterwards) and a started agent (`python -m warmgate_agent`) with its ready line read.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const AGENT_PY_DIR = fileURLToPath(new URL('../..', import.meta.url));
const LAUNCHER = join(AGENT_PY_DIR, 'bin', 'warmgate-agent-py');

/**
 * The venv's python with the pinned packages: `agent-py/bin/warmgate-agent-py --venv` makes
 * the venv on first use (the same one a profile naming that command runs on) and prints it.
 */
export async function agentPython(): Promise<string> {
  const { stdout } = await run(LAUNCHER, ['--venv'], { timeout: 300_000 });
  return stdout.trim();
}

export interface StartedAgent {
  child: ChildProcess;
  /** The Streamable HTTP endpoint. */
  url: URL;
  stderr: () => string;
  stop(): Promise<void>;
}

export interface AgentEnv {
  WARMGATE_WORKSPACE: string;
  WARMGATE_AGENT_ISOLATION?: string;
  [key: string]: string | undefined;
}

/** The environment to run the agent with (the package folder importable). */
export function agentEnv(env: AgentEnv): Record<string, string> {
  const base: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  if (process.env.HOME) base.HOME = process.env.HOME;
  for (const [key, value] of Object.entries(env)) if (value !== undefined) base[key] = value;
  return { ...base, PYTHONPATH: AGENT_PY_DIR };
}

/** Starts the agent on Streamable HTTP at 127.0.0.1 on a free port; resolves once it is ready. */
export async function startAgent(env: AgentEnv): Promise<StartedAgent> {
  const python = await agentPython();
  const child = spawn(python, ['-m', 'warmgate_agent'], {
    env: agentEnv({ WARMGATE_AGENT_LISTEN: '127.0.0.1:0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        child.stdout?.off('data', onData);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`agent exited (${code}) before ready: ${stderr}`)),
    );
  });
  return {
    child,
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
