// Real agent containers for integration tests: an agent process and a sidecar process from
// agent/dist (build first: npx tsc -b agent), with a temporary workspace, on ephemeral
// loopback ports (@warmgate/testkit's startAgentContainer). Everything started here is
// stopped by stop().
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AuthMode } from '@warmgate/proto';
import {
  entries,
  makeTempDir,
  removeDir,
  startAgentContainer,
  type AgentContainer,
  type RoleProcess,
} from '@warmgate/testkit';
import { repoUrlFor, signAssertion } from '@warmgate/contract';

export const MAIN = entries.agent;

export type Process = RoleProcess;

export interface Container extends AgentContainer {
  /** The temporary folder holding the workspace; stop() removes it. */
  dir: string;
}

export async function startContainer(env: NodeJS.ProcessEnv = {}): Promise<Container> {
  const dir = makeTempDir('agent-test');
  const workspace = join(dir, 'workspace');
  await mkdir(workspace);
  const container = await startAgentContainer({
    workspace,
    env,
    controlToken: `token-${Math.random().toString(36).slice(2)}-0123456789`,
    sidecarSecret: `sidecar-${Math.random().toString(36).slice(2)}-0123456789`,
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
