// One local agent container as the pool manager's local runtime makes it: an agent process and
// a sidecar process (agent/dist/main.js agent|sidecar) over one workspace, on ephemeral
// loopback ports, with a Lifecycle client that carries the sidecar's secret.
import { randomBytes } from 'node:crypto';
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
  readonly controlToken?: string;
  /** Default: random. */
  readonly sidecarSecret?: string;
  /** Default: passed through to this process's stderr. */
  readonly stderr?: 'keep' | 'inherit' | 'ignore';
}

export type RoleProcess = EntryProcess<{ role: string; port: number }>;

export interface AgentContainer {
  readonly workspace: string;
  readonly agent: RoleProcess;
  readonly sidecar: RoleProcess;
  readonly sidecarSecret: string;
  /** The agent's MCP endpoint. */
  readonly mcpUrl: URL;
  readonly lifecycle: Client<typeof agentv1.Lifecycle>;
  /** Closes the client, SIGTERMs both processes (SIGKILL after 30 s) and waits for them. */
  stop(): Promise<void>;
}

/** Starts one role of the agent image and waits for its ready line. */
export function startAgentRole(
  role: 'agent' | 'sidecar' | 'container',
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
  const common = {
    WARMGATE_WORKSPACE_DIR: options.workspace,
    WARMGATE_AGENT_CONTROL_TOKEN: options.controlToken ?? secret(),
    WARMGATE_AGENT_HOST: '127.0.0.1',
    ...options.env,
  };
  const agent = await startAgentRole(
    'agent',
    { ...common, WARMGATE_AGENT_PORT: '0' },
    options.stderr,
  );
  const sidecarSecret = options.sidecarSecret ?? secret();
  let sidecar: RoleProcess;
  try {
    sidecar = await startAgentRole(
      'sidecar',
      {
        ...common,
        WARMGATE_SIDECAR_SECRET: sidecarSecret,
        WARMGATE_SIDECAR_PORT: '0',
        WARMGATE_AGENT_URL: `http://127.0.0.1:${agent.ready.port}`,
      },
      options.stderr,
    );
  } catch (error) {
    await agent.stop();
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
    mcpUrl: new URL(`http://127.0.0.1:${agent.ready.port}/mcp`),
    lifecycle,
    async stop() {
      lifecycle.close();
      await Promise.all([agent.stop(), sidecar.stop()]);
    },
  };
}
