// Role `mcp`: the TypeScript agent as a plain MCP server behind the sidecar's data plane (the
// agent start contract, docs/architecture.md): MCP Streamable HTTP at /mcp on
// WARMGATE_AGENT_LISTEN (a Unix socket path or host:port), for the folder WARMGATE_WORKSPACE.
// No credentials (the sidecar checked them and stripped the headers), no control API and no
// git: tools only write files; the sidecar commits and pushes after each write call. The
// workspace is empty until the sidecar's bind restores it, so the agent takes it on the first
// MCP POST (the sidecar forwards nothing before its bind).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { AuthMode, errors } from '@warmgate/proto';
import { httpStatusOf, jsonRpcErrorBody } from '../mcp/error-codes.js';
import type { AgentConfig } from '../config.js';
import { serveTraced } from '../telemetry/spans.js';
import { AgentCore } from './agent-core.js';
import { createRouteServer, sendJson } from './http-util.js';
import type { McpHttp } from './mcp-sessions.js';

export interface RunningPlainAgent {
  /** The TCP port, or 0 on a Unix socket. */
  port: number;
  /** Loads the MCP side now (WARMGATE_AGENT_MCP_LOAD=ready: role container calls it once ready). */
  preload(): void;
  close(): Promise<void>;
}

/**
 * `preloadNow: false` leaves loading the MCP side to the caller's `preload()` (role container:
 * after its ready line, so the import does not hold up the sidecar's start in the same thread).
 */
export async function startPlainAgent(
  config: AgentConfig,
  preloadNow = true,
): Promise<RunningPlainAgent> {
  const listen = config.agentListen!;
  const core = new AgentCore(config.workspaceDir, Date.now, false);
  let mcp: Promise<McpHttp> | undefined;
  /** Sessions open now; 0 until the MCP side is loaded. */
  let loaded: McpHttp | undefined;
  const loadMcp = () =>
    (mcp ??= import('./mcp-sessions.js').then((m) => (loaded = m.createMcpHttp(core, null))));
  let binding: Promise<unknown> | undefined;
  // Taken once the bind restored a repository (the sidecar's start-up probe comes earlier).
  const bindOnce = async () => {
    if (binding === undefined && !existsSync(join(config.workspaceDir, '.git', 'HEAD'))) return;
    await (binding ??= core.bind({
      bindingId: 'data-plane',
      // The agent is not told the user: the sidecar commits as the user.
      userId: 'user',
      tier: '',
      // The sidecar refuses write calls in public mode and filters tools/list.
      mode: AuthMode.GATEWAY,
      assertionKey: randomBytes(32).toString('base64url'),
      repository: { url: '', credential: '', ephemeral: true },
    }));
  };
  // Only the sidecar reaches this server (a 0600 socket, or loopback in the pod): no timer
  // while idle (http-util.ts).
  const server = createRouteServer(
    (req, res, path) => {
      return path === '/mcp'
        ? serveTraced(`mcp ${req.method ?? ''}`, req.headers, async () => {
            if (req.method === 'POST') await bindOnce();
            if (binding === undefined) {
              // Nothing restored yet: only the sidecar's start-up and health probes come now, and
              // they need an answer, not the MCP side (whose import would hold up the ready line).
              const error = errors.unavailable('agent is not bound to a user yet (warm container)');
              sendJson(res, httpStatusOf(error.code), jsonRpcErrorBody(error));
              return;
            }
            await (await loadMcp()).handle(req, res);
          })
        : path === '/healthz'
          ? Promise.resolve(
              sendJson(res, 200, {
                status: 'ok',
                state: core.status().state,
                mcpSessions: loaded?.count() ?? 0,
              }),
            )
          : Promise.resolve(sendJson(res, 404, { error: { code: 'NOT_FOUND', message: path } }));
    },
    { quietWhileIdle: true },
  );
  const socketPath = listen.startsWith('/') ? listen : undefined;
  if (socketPath) await rm(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (socketPath) server.listen(socketPath, () => resolve());
    else {
      const split = listen.lastIndexOf(':');
      const host = listen.slice(0, split).replace(/^\[|\]$/g, '');
      server.listen(Number(listen.slice(split + 1)), host, () => resolve());
    }
  });
  // The agent checks no credential: only its own user (the sidecar's) may connect.
  if (socketPath) await chmod(socketPath, 0o600);
  // WARMGATE_AGENT_MCP_LOAD=ready (the default): loaded now, so a claim finds it loaded.
  const preload = () => {
    if (config.mcpLoad === 'ready') void loadMcp().catch(() => {});
  };
  if (preloadNow) preload();
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? (address as AddressInfo).port : 0,
    preload,
    async close() {
      if (mcp) await (await mcp).close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (socketPath) await rm(socketPath, { force: true });
    },
  };
}
