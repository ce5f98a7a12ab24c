// One agent container with the sidecar as the data plane (issue 14), as the local runtime makes
// it for a named agent: any MCP server (`agentCommand`: the Python agent, or this repository's
// agent in role `mcp`) serving Streamable HTTP on a Unix socket next to the workspace, and the
// sidecar (agent/dist/main.js sidecar) in front of it, with the gateway's MCP on an ephemeral
// loopback port. Lifecycle.Bind restores into the workspace; the agent never sees git.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { agentv1 } from '@warmgate/proto';
import { bearerHeaders, createClient, type Client } from '@warmgate/proto/grpc';
import { startAgentRole } from './agent-container.js';
import { stopChild, type EntryProcess } from './entry-process.js';
import { trackChild } from './leftovers.js';
import { entries, repoRoot } from './paths.js';

/** The agents of this repository as commands (`python` makes its venv on first start). */
export const agentCommands = {
  'typescript-mcp': [process.execPath, entries.agent, 'mcp'],
  python: [join(repoRoot, 'agent-py/bin/warmgate-agent-py')],
} as const;

export interface DataPlaneContainerOptions {
  /** The user's working copy (WARMGATE_WORKSPACE of the agent, WARMGATE_WORKSPACE_DIR of the sidecar); made if missing. */
  readonly workspace: string;
  /** The agent's command line. */
  readonly agentCommand: readonly string[];
  /** The agent's Unix socket; default `<workspace>.sock`. */
  readonly socket?: string;
  /** Extra environment of both processes. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default: random. */
  readonly sidecarSecret?: string;
  readonly stderr?: 'keep' | 'inherit' | 'ignore';
}

export interface DataPlaneContainer {
  readonly workspace: string;
  /** The agent's pid (its own process group). */
  readonly agentPid: number;
  readonly sidecar: EntryProcess<{ role: string; port: number; mcpPort: number }>;
  readonly sidecarSecret: string;
  /** The sidecar's MCP endpoint (what the gateway talks to). */
  readonly mcpUrl: URL;
  readonly lifecycle: Client<typeof agentv1.Lifecycle>;
  /** Closes the client, SIGTERMs the sidecar and the agent's group, and waits for them. */
  stop(): Promise<void>;
}

export async function startDataPlaneContainer(
  options: DataPlaneContainerOptions,
): Promise<DataPlaneContainer> {
  mkdirSync(options.workspace, { recursive: true });
  const socket = options.socket ?? `${options.workspace}.sock`;
  const [command, ...args] = options.agentCommand;
  const agent = spawn(command!, args, {
    env: {
      ...process.env,
      ...options.env,
      WARMGATE_WORKSPACE: options.workspace,
      WARMGATE_AGENT_LISTEN: socket,
    },
    stdio: [
      'ignore',
      'ignore',
      options.stderr === 'keep' ? 'ignore' : (options.stderr ?? 'inherit'),
    ],
    detached: true, // its own group: stop() reaches the agent's children too
  });
  trackChild(agent); // killed with the test file's leftovers if a test times out
  const stopAgent = async () => {
    if (agent.exitCode !== null || agent.signalCode !== null) return;
    const exited = new Promise((resolve) => agent.once('exit', resolve));
    signalGroup(agent.pid!, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(agent.pid!, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const sidecarSecret = options.sidecarSecret ?? randomBytes(16).toString('hex');
  let sidecar: DataPlaneContainer['sidecar'];
  try {
    // The sidecar waits until the agent answers on its socket before it says ready.
    sidecar = (await startAgentRole(
      'sidecar',
      {
        ...options.env,
        WARMGATE_WORKSPACE_DIR: options.workspace,
        WARMGATE_AGENT_HOST: '127.0.0.1',
        WARMGATE_SIDECAR_SECRET: sidecarSecret,
        WARMGATE_SIDECAR_PORT: '0',
        WARMGATE_SIDECAR_MCP_PORT: '0',
        WARMGATE_SIDECAR_AGENT: socket,
      },
      options.stderr,
    )) as DataPlaneContainer['sidecar'];
  } catch (error) {
    await stopAgent();
    throw error;
  }
  const lifecycle = createClient(agentv1.Lifecycle, `127.0.0.1:${sidecar.ready.port}`, {
    headers: bearerHeaders(sidecarSecret),
  });
  return {
    workspace: options.workspace,
    agentPid: agent.pid!,
    sidecar,
    sidecarSecret,
    mcpUrl: new URL(`http://127.0.0.1:${sidecar.ready.mcpPort}/mcp`),
    lifecycle,
    async stop() {
      lifecycle.close();
      await Promise.all([stopChild(sidecar.child, 30_000), stopAgent()]);
    },
  };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // gone
  }
}
