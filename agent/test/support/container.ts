// Real agent containers for integration tests: an agent process (role mcp) and the data-plane
// sidecar from agent/dist (build first: npx tsc -b agent), with a temporary workspace, on
// ephemeral loopback ports (@warmgate/testkit's startAgentContainer). Everything started here
// is stopped by stop().
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AuthMode } from '@warmgate/proto';
import {
  entries,
  makeTempDir,
  removeDir,
  spawnEntry,
  startAgentContainer,
  type AgentContainer,
  type RoleProcess,
} from '@warmgate/testkit';
import { repoUrlFor, signAssertion } from '@warmgate/contract';

export const MAIN = entries.agent;

export type Process = RoleProcess;

/** One role's process with the ports of its ready line (a data-plane sidecar's `mcpPort`). */
export type PortedProcess = Process & { readonly port: number; readonly mcpPort?: number };

/** Starts one role of agent/dist/main.js (`mcp` included) and waits for its ready line. */
export async function startProcess(
  role: 'sidecar' | 'mcp',
  env: NodeJS.ProcessEnv,
): Promise<PortedProcess> {
  const started = await spawnEntry<{ role: string; port: number; mcpPort?: number }>(
    entries.agent,
    {
      name: role,
      args: [role],
      env,
      stderr: 'inherit',
      ready: (line) => line.ready === true && line.role === role,
    },
  );
  return Object.assign(started, { port: started.ready.port, mcpPort: started.ready.mcpPort });
}

export interface Container extends AgentContainer {
  /** The temporary folder holding the workspace; stop() removes it. */
  dir: string;
}

/**
 * A container as every runtime makes it now (issue 14): the TypeScript agent as a plain MCP
 * server (role `mcp`) on a Unix socket, the sidecar as the data plane in front of it; `mcpUrl`
 * is the sidecar's. `agentListen` may choose another address for the agent.
 */
export async function startContainer(
  env: NodeJS.ProcessEnv = {},
  agentListen?: (dir: string) => string,
): Promise<Container> {
  const dir = makeTempDir('agent-test');
  const workspace = join(dir, 'workspace');
  await mkdir(workspace);
  const container = await startAgentContainer({
    workspace,
    env,
    sidecarSecret: `sidecar-${Math.random().toString(36).slice(2)}-0123456789`,
    ...(agentListen ? { agentListen: agentListen(dir) } : {}),
  }).catch((error: unknown) => {
    removeDir(dir);
    throw error;
  });
  return {
    ...container,
    dir,
    async stop() {
      await container.stop();
      removeDir(dir);
    },
  };
}

/** The same container (the data plane is the only layout); kept for the data-plane tests. */
export const startDataPlaneContainer = startContainer;

/** A signal (default SIGTERM) to one process of a container; resolves with its exit code. */
export function kill(process: Process, signal: NodeJS.Signals = 'SIGTERM') {
  return process.kill(signal);
}

export interface BindOptions {
  userId: string;
  bindingId?: string;
  store: string;
  mode?: AuthMode;
  ephemeral?: boolean;
  key?: Uint8Array;
}

export function bindRequest(options: BindOptions) {
  return {
    bindingId: options.bindingId ?? `b-${options.userId}-${Math.random().toString(36).slice(2)}`,
    userId: options.userId,
    tier: 'pro',
    mode: options.mode ?? AuthMode.GATEWAY,
    assertionKey: options.key ?? new Uint8Array(32).fill(options.userId.length),
    repository: {
      url: repoUrlFor(options.store, options.userId),
      credential: '',
      ephemeral: options.ephemeral ?? false,
    },
  };
}

/** An MCP client on the container with fixed extra headers. */
export async function connectMcp(url: URL, headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'warmgate-agent-test', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  return client;
}

/** An MCP client for a gateway-mode binding (a valid assertion on every request). */
export async function connectAs(
  container: Container,
  request: ReturnType<typeof bindRequest>,
): Promise<Client> {
  const token = await signAssertion(request.assertionKey, {
    userId: request.userId,
    bindingId: request.bindingId,
  });
  return connectMcp(container.mcpUrl, { 'x-warmgate-assertion': token });
}
