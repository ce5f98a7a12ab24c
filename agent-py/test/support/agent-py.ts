// The Python agent for tests: its venv (made from agent-py/requirements.txt on first use,
// under ${XDG_CACHE_HOME:-~/.cache}/warmgate/agent-py-<hash of requirements.txt>, reused
// afterwards) and a started agent (`python -m warmgate_agent`) with its ready line read.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const AGENT_PY_DIR = fileURLToPath(new URL('../..', import.meta.url));
const REQUIREMENTS = join(AGENT_PY_DIR, 'requirements.txt');

async function venvDir(): Promise<string> {
  const key = createHash('sha256')
    .update(await readFile(REQUIREMENTS))
    .digest('hex')
    .slice(0, 12);
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'warmgate', `agent-py-${key}`);
}

/** The venv's python with the pinned packages; makes the venv when missing. */
export async function agentPython(): Promise<string> {
  const dir = await venvDir();
  const python = join(dir, 'bin', 'python');
  const ready = await access(join(dir, '.complete')).then(
    () => true,
    () => false,
  );
  if (ready) return python;
  // Made aside and renamed into place, so two test runs never install into one venv at once.
  await mkdir(dirname(dir), { recursive: true });
  const temp = `${dir}.tmp-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  await run('python3', ['-m', 'venv', temp]);
  await run(
    join(temp, 'bin', 'python'),
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-deps',
      '-r',
      REQUIREMENTS,
    ],
    { timeout: 300_000 },
  );
  await run(join(temp, 'bin', 'python'), ['-c', 'open(".complete", "w")'], { cwd: temp });
  try {
    await rename(temp, dir);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    const theirs = await access(join(dir, '.complete')).then(
      () => true,
      () => false,
    );
    if (!theirs) throw error;
  }
  return python;
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
