// One local agent container as the pool manager's local runtime makes it: an agent serving MCP
// (by default this repository's TypeScript agent, agent/dist/main.js mcp; or any MCP server's
// command, such as the Python agent) and the sidecar as the data plane in front of it
// (main.js sidecar with WARMGATE_SIDECAR_AGENT), over one workspace, the agent on a Unix
// socket and the sidecar on ephemeral loopback ports, with a Lifecycle client that carries the
// sidecar's secret. Lifecycle.Bind restores into the workspace; the agent never sees git.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentv1 } from '@warmgate/proto';
import { bearerHeaders, createClient, type Client } from '@warmgate/proto/grpc';
import { spawnEntry, type EntryProcess } from './entry-process.js';
import { trackChild } from './leftovers.js';
import { entries } from './paths.js';

export interface AgentContainerOptions {
  /** The user's working copy (WARMGATE_WORKSPACE of the agent, WARMGATE_WORKSPACE_DIR of the sidecar); made if missing. */
  readonly workspace: string;
  /**
   * The agent's command line: any MCP server serving Streamable HTTP on WARMGATE_AGENT_LISTEN
   * (agentCommands.python, …), in a process group of its own; the sidecar says ready once it
   * answers. Default: this repository's agent in role mcp, awaited by its ready line.
   */
  readonly agentCommand?: readonly string[];
  /** Extra environment of both processes. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default: random. */
  readonly sidecarSecret?: string;
  /**
   * Where the agent serves MCP (WARMGATE_AGENT_LISTEN): a Unix socket path or host:port.
   * Default: a socket in a fresh folder of its own, removed by stop().
   */
  readonly agentListen?: string;
  /** Default: passed through to this process's stderr. */
  readonly stderr?: 'keep' | 'inherit' | 'ignore';
}

export type RoleProcess = EntryProcess<{ role: string; port: number; mcpPort?: number }>;

/** The agent's process (for an agentCommand, the leader of its process group). */
export interface ContainerAgent {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (null after a signal) once it has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM (to the whole group for an agentCommand), SIGKILL after a grace; waits for it. */
  stop(): Promise<unknown>;
}

/** `A`: the agent's process; this repository's agent (no agentCommand) is a RoleProcess. */
export interface AgentContainer<A extends ContainerAgent = RoleProcess> {
  readonly workspace: string;
  readonly agent: A;
  readonly sidecar: RoleProcess;
  readonly sidecarSecret: string;
  /** The sidecar's MCP endpoint (the data plane in front of the agent). */
  readonly mcpUrl: URL;
  readonly lifecycle: Client<typeof agentv1.Lifecycle>;
  /** Closes the client, SIGTERMs both processes (SIGKILL after 30 s) and waits for them. */
  stop(): Promise<void>;
}

/** Starts one role of the agent image and waits for its ready line. */
export function startAgentRole(
  role: 'sidecar' | 'container' | 'mcp',
  env: Readonly<Record<string, string | undefined>>,
  stderr: AgentContainerOptions['stderr'] = 'inherit',
): Promise<RoleProcess> {
  return spawnEntry(entries.agent, {
    name: role,
    args: [role],
    env,
    stderr,
    ready: (line) => line.ready === true && line.role === role,
  });
}

export function startAgentContainer(
  options: AgentContainerOptions & { readonly agentCommand?: undefined },
): Promise<AgentContainer>;
export function startAgentContainer(
  options: AgentContainerOptions,
): Promise<AgentContainer<ContainerAgent>>;
export async function startAgentContainer(
  options: AgentContainerOptions,
): Promise<AgentContainer<ContainerAgent>> {
  mkdirSync(options.workspace, { recursive: true });
  const socketDir = options.agentListen
    ? undefined
    : mkdtempSync(join(tmpdir(), 'warmgate-agent-sock-'));
  const listen = options.agentListen ?? join(socketDir!, 'mcp.sock');
  const removeSocketDir = () => {
    if (socketDir) rmSync(socketDir, { recursive: true, force: true });
  };
  const agentEnv = {
    WARMGATE_WORKSPACE: options.workspace,
    WARMGATE_AGENT_LISTEN: listen,
    ...options.env,
  };
  let agent: ContainerAgent;
  try {
    agent = options.agentCommand
      ? spawnAgentCommand(options.agentCommand, agentEnv, options.stderr)
      : await startAgentRole('mcp', agentEnv, options.stderr);
  } catch (error) {
    removeSocketDir();
    throw error;
  }
  const sidecarSecret = options.sidecarSecret ?? randomBytes(16).toString('hex');
  let sidecar: RoleProcess;
  try {
    // With an agentCommand, the sidecar waits until the agent answers before it says ready.
    sidecar = await startAgentRole(
      'sidecar',
      {
        WARMGATE_WORKSPACE_DIR: options.workspace,
        WARMGATE_AGENT_HOST: '127.0.0.1',
        WARMGATE_SIDECAR_SECRET: sidecarSecret,
        WARMGATE_SIDECAR_PORT: '0',
        WARMGATE_SIDECAR_MCP_PORT: '0',
        WARMGATE_SIDECAR_AGENT: listen,
        ...options.env,
      },
      options.stderr,
    );
  } catch (error) {
    await agent.stop();
    removeSocketDir();
    throw error;
  }
  const lifecycle = createClient(agentv1.Lifecycle, `127.0.0.1:${sidecar.ready.port}`, {
    headers: bearerHeaders(sidecarSecret),
  });
  return {
    workspace: options.workspace,
    agent,
    sidecar,
    sidecarSecret,
    mcpUrl: new URL(`http://127.0.0.1:${sidecar.ready.mcpPort}/mcp`),
    lifecycle,
    async stop() {
      lifecycle.close();
      await Promise.all([agent.stop(), sidecar.stop()]);
      removeSocketDir();
    },
  };
}

/** An agent's command in a process group of its own, so stop() reaches its children too. */
function spawnAgentCommand(
  command: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  stderr: AgentContainerOptions['stderr'] = 'inherit',
): ContainerAgent {
  const [file, ...args] = command;
  const child = spawn(file!, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', stderr === 'keep' ? 'ignore' : stderr],
    detached: true,
  });
  trackChild(child); // killed with the test file's leftovers if a test times out
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // gone
    }
  };
  return {
    child,
    pid: child.pid!,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
