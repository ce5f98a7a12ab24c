// One local agent container as the pool manager's local runtime makes it: the TypeScript agent
// as a plain MCP server (agent/dist/main.js mcp) and the sidecar as the data plane in front of
// it (main.js sidecar with WARMGATE_SIDECAR_AGENT), over one workspace, the agent on a Unix
// socket and the sidecar on ephemeral loopback ports, with a Lifecycle client that carries the
// sidecar's secret.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentv1 } from '@warmgate/proto';
import { bearerHeaders, createClient, type Client } from '@warmgate/proto/grpc';
import { spawnEntry, type EntryProcess } from './entry-process.js';
import { entries } from './paths.js';

export interface AgentContainerOptions {
  /** WARMGATE_WORKSPACE_DIR of both processes. */
  readonly workspace: string;
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

export interface AgentContainer {
  readonly workspace: string;
  readonly agent: RoleProcess;
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

export async function startAgentContainer(options: AgentContainerOptions): Promise<AgentContainer> {
  const secret = () => randomBytes(16).toString('hex');
  const socketDir = options.agentListen
    ? undefined
    : mkdtempSync(join(tmpdir(), 'warmgate-agent-sock-'));
  const listen = options.agentListen ?? join(socketDir!, 'mcp.sock');
  const removeSocketDir = () => {
    if (socketDir) rmSync(socketDir, { recursive: true, force: true });
  };
  let agent: RoleProcess;
  try {
    agent = await startAgentRole(
      'mcp',
      {
        WARMGATE_WORKSPACE: options.workspace,
        WARMGATE_AGENT_LISTEN: listen,
        ...options.env,
      },
      options.stderr,
    );
  } catch (error) {
    removeSocketDir();
    throw error;
  }
  const sidecarSecret = options.sidecarSecret ?? secret();
  let sidecar: RoleProcess;
  try {
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
