// The agent process: MCP at /mcp, health at /healthz, and the sidecar's control API under
// /_lifecycle/, all on one node:http server. The agent starts without its MCP side (the MCP
// SDK, zod, the tools and the analysis code: about half its memory), so it is ready sooner;
// it loads it right after ready (WARMGATE_AGENT_MCP_LOAD=ready, the default: a claim finds it
// loaded) or at bind (=bind: a smaller idle container, a slower bind), and /mcp waits for it
// (docs/benchmarks.md, footprint).
import { serveTraced } from '../telemetry/spans.js';
import type { AddressInfo } from 'node:net';
import type { AgentConfig } from '../config.js';
import { createDirectVerifier } from '@warmgate/contract/direct-credential';
import { CONTROL_PREFIX, controlPaths } from '../control/control-protocol.js';
import { AgentCore } from './agent-core.js';
import { createControlApi } from './control-api.js';
import { createRouteServer, sendJson } from './http-util.js';
import type { McpHttp } from './mcp-sessions.js';
import { listenUnix, type UnixListener } from './unix-listener.js';

export interface RunningAgent {
  port: number;
  core: AgentCore;
  /** Loads the MCP side now (WARMGATE_AGENT_MCP_LOAD=ready calls it once ready is announced). */
  preload(): void;
  /** Drains (final commit + push) when bound, then stops serving. */
  close(): Promise<void>;
}

export async function startAgent(config: AgentConfig): Promise<RunningAgent> {
  const core = new AgentCore(config.workspaceDir);
  const direct = createDirectVerifier(config.jwePrivateKey, config.directIssuerKeys);
  let mcp: Promise<McpHttp> | undefined;
  /** Sessions open now; 0 until the MCP side is loaded. */
  let loaded: McpHttp | undefined;
  const loadMcp = () =>
    (mcp ??= import('./mcp-sessions.js').then((m) => (loaded = m.createMcpHttp(core, direct))));
  const control = createControlApi(
    core,
    config.controlToken,
    config.drainTimeoutMs,
    () => loaded?.count() ?? 0,
  );
  const server = createRouteServer((req, res, path) => {
    // Loading starts when the sidecar receives Bind (prepare), so it overlaps the restore in
    // the sidecar; a bind without a prepare starts it too.
    if (path === controlPaths.prepare || path === controlPaths.bind) void loadMcp().catch(() => {});
    return path === '/mcp'
      ? serveTraced(`mcp ${req.method ?? ''}`, req.headers, () =>
          loadMcp().then((m) => m.handle(req, res)),
        )
      : path.startsWith(CONTROL_PREFIX)
        ? serveTraced(`control ${path.slice(CONTROL_PREFIX.length)}`, req.headers, () =>
            control(req, res),
          )
        : path === '/healthz'
          ? Promise.resolve(sendJson(res, 200, { status: 'ok', state: core.status().state }))
          : Promise.resolve(sendJson(res, 404, { error: { code: 'NOT_FOUND', message: path } }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.agentPort, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let unix: UnixListener | undefined;
  if (config.agentSocket) {
    unix = await listenUnix(config.agentSocket, (socket) => server.emit('connection', socket));
  }
  let closing: Promise<void> | undefined;
  const close = async () => {
    const bindingId = core.status().bindingId;
    if (bindingId) await core.drain(bindingId, config.drainTimeoutMs).catch(() => {});
    if (mcp) await (await mcp).close();
    const unixClosed = unix?.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await unixClosed;
  };
  const preload = () => void loadMcp().catch(() => {});
  return { port, core, preload, close: () => (closing ??= close()) };
}
