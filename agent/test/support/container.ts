// Real agent containers for integration tests: an agent process and a sidecar process from
// agent/dist (build first: npx tsc -b agent), with a temporary workspace, on ephemeral
// loopback ports. Everything started here is stopped by stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AuthMode, agentv1 } from '@warmgate/proto';
import { bearerHeaders, createClient, type Client as GrpcClient } from '@warmgate/proto/grpc';
import { repoUrlFor, signAssertion } from '@warmgate/contract';

export const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface Process {
  child: ChildProcess;
  port: number;
  exited: Promise<number | null>;
}

export async function startProcess(
  role: 'agent' | 'sidecar',
  env: NodeJS.ProcessEnv,
): Promise<Process> {
  const child = spawn(process.execPath, [MAIN, role], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${role} exited (${code}) before ready`)));
  });
  const ready = JSON.parse(line) as { ready: boolean; role: string; port: number };
  if (!ready.ready || ready.role !== role) throw new Error(`unexpected ready line ${line}`);
  return { child, port: ready.port, exited };
}

export interface Container {
  dir: string;
  workspace: string;
  agent: Process;
  sidecar: Process;
  /** The secret the sidecar requires on every Lifecycle call. */
  sidecarSecret: string;
  mcpUrl: URL;
  lifecycle: GrpcClient<typeof agentv1.Lifecycle>;
  stop(): Promise<void>;
}

export async function startContainer(env: NodeJS.ProcessEnv = {}): Promise<Container> {
  const dir = await mkdtemp(join(tmpdir(), 'warmgate-agent-test-'));
  const workspace = join(dir, 'workspace');
  await mkdir(workspace);
  const common = {
    WARMGATE_WORKSPACE_DIR: workspace,
    WARMGATE_AGENT_CONTROL_TOKEN: `token-${Math.random().toString(36).slice(2)}-0123456789`,
    WARMGATE_AGENT_HOST: '127.0.0.1',
    ...env,
  };
  const agent = await startProcess('agent', { ...common, WARMGATE_AGENT_PORT: '0' });
  const sidecarSecret = `sidecar-${Math.random().toString(36).slice(2)}-0123456789`;
  const sidecar = await startProcess('sidecar', {
    ...common,
    WARMGATE_SIDECAR_SECRET: sidecarSecret,
    WARMGATE_SIDECAR_PORT: '0',
    WARMGATE_AGENT_URL: `http://127.0.0.1:${agent.port}`,
  });
  const lifecycle = createClient(agentv1.Lifecycle, `127.0.0.1:${sidecar.port}`, {
    headers: bearerHeaders(sidecarSecret),
  });
  return {
    dir,
    sidecarSecret,
    workspace,
    agent,
    sidecar,
    mcpUrl: new URL(`http://127.0.0.1:${agent.port}/mcp`),
    lifecycle,
    async stop() {
      lifecycle.close();
      await Promise.all([kill(agent), kill(sidecar)]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function kill(process: Process, signal: NodeJS.Signals = 'SIGTERM') {
  if (process.child.exitCode === null && process.child.signalCode === null) {
    process.child.kill(signal);
  }
  return process.exited;
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
