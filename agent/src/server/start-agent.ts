// The agent process: MCP at /mcp, health at /healthz, and the sidecar's control API under
// /_lifecycle/, all on one node:http server.
import { createServer, type Server } from 'node:http';
import { serveTraced } from '../telemetry/spans.js';
import type { AddressInfo } from 'node:net';
import type { AgentConfig } from '../config.js';
import { createDirectVerifier } from '../auth/direct-credential.js';
import { CONTROL_PREFIX } from '../control/control-protocol.js';
import { AgentCore } from './agent-core.js';
import { createControlApi } from './control-api.js';
import { sendError, sendJson } from './http-util.js';
import { createMcpHttp } from './mcp-sessions.js';

export interface RunningAgent {
  port: number;
  core: AgentCore;
  /** Drains (final commit + push) when bound, then stops serving. */
  close(): Promise<void>;
}

export async function startAgent(config: AgentConfig): Promise<RunningAgent> {
  const core = new AgentCore(config.workspaceDir);
  const direct = createDirectVerifier(config.jwePrivateKey, config.directIssuerKeys);
  const mcp = createMcpHttp(core, direct);
  const control = createControlApi(core, config.controlToken, config.drainTimeoutMs, () =>
    mcp.count(),
  );
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const work =
      path === '/mcp'
        ? serveTraced(`mcp ${req.method ?? ''}`, req.headers, () => mcp.handle(req, res))
        : path.startsWith(CONTROL_PREFIX)
          ? serveTraced(`control ${path.slice(CONTROL_PREFIX.length)}`, req.headers, () =>
              control(req, res),
            )
          : path === '/healthz'
            ? Promise.resolve(sendJson(res, 200, { status: 'ok', state: core.status().state }))
            : Promise.resolve(sendJson(res, 404, { error: { code: 'NOT_FOUND', message: path } }));
    work.catch((error: unknown) => {
      if (!res.headersSent) sendError(res, error);
      else res.end();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.agentPort, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const close = async () => {
    const bindingId = core.status().bindingId;
    if (bindingId) await core.drain(bindingId, config.drainTimeoutMs).catch(() => {});
    await mcp.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { port, core, close: () => (closing ??= close()) };
}
