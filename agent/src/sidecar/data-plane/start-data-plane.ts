// The sidecar's data-plane side (WARMGATE_SIDECAR_AGENT set): an HTTP server for the gateway's
// MCP at /mcp on WARMGATE_SIDECAR_MCP_PORT (or WARMGATE_SIDECAR_MCP_SOCKET), in front of the agent at WARMGATE_SIDECAR_AGENT.
// Start-up waits until the agent answers HTTP on its address (the agent start contract has no
// ready file).
import { unlink } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { errors } from '@warmgate/proto';
import { createDirectVerifier } from '@warmgate/contract/direct-credential';
import type { AgentConfig } from '../../config.js';
import { createRouteServer, sendJson } from '../../server/http-util.js';
import { serveTraced } from '../../telemetry/spans.js';
import { agentFault, createAgentLink, parseListen, type AgentLink } from './agent-link.js';
import { createDataPlane, type DataPlane } from './data-plane.js';
import { startStdioAgent, type StdioAgent } from './stdio-link.js';

/** How long start-up waits for the agent to answer on its address. */
const AGENT_START_TIMEOUT_MS = 60_000;
const PROBE_TIMEOUT_MS = 2_000;

export interface RunningDataPlane {
  plane: DataPlane;
  mcpPort: number;
  close(): Promise<void>;
}

export async function startDataPlane(config: AgentConfig): Promise<RunningDataPlane> {
  let link: AgentLink;
  let probe: () => Promise<void>;
  let stdio: StdioAgent | undefined;
  let probeLink: AgentLink | undefined;
  let rehearse: (() => Promise<void>) | undefined;
  if (config.agentCommand) {
    // The agent as the sidecar's child over stdio: it starts here, and is ready once it
    // answered initialize.
    const agent = startStdioAgent(
      config.agentCommand,
      agentEnv(config.workspaceDir),
      config.workspaceDir,
      config.agentTimeoutMs,
    );
    stdio = agent;
    link = agent.link;
    probe = async () => {
      const gone = agent.exited();
      if (gone) throw agentFault(errors.unavailable(`the agent process ${gone}`));
      await agent.ready;
    };
  } else {
    const target = parseListen(config.agentListen!);
    link = createAgentLink(target, config.agentTimeoutMs);
    const probing = createAgentLink(target, PROBE_TIMEOUT_MS);
    probeLink = probing;
    probe = () => probeAgent(probing);
    rehearse = () => rehearseSession(probing);
  }
  const plane = createDataPlane({
    workspaceDir: config.workspaceDir,
    link,
    direct: createDirectVerifier(config.jwePrivateKey, config.directIssuerKeys),
    drainTimeoutMs: config.drainTimeoutMs,
    probe,
    rehearse,
  });
  try {
    await waitForAgent(probe, AGENT_START_TIMEOUT_MS);
  } catch (error) {
    await stdio?.stop();
    throw error;
  }
  const server = createRouteServer((req, res, path) => {
    return path === '/mcp'
      ? serveTraced(`mcp ${req.method ?? ''}`, req.headers, () => plane.handle(req, res))
      : path === '/healthz'
        ? Promise.resolve(
            plane.unhealthy()
              ? sendJson(res, 503, { status: 'unhealthy', reason: plane.unhealthy() })
              : sendJson(res, 200, { status: 'ok', state: plane.state() }),
          )
        : Promise.resolve(sendJson(res, 404, { error: { code: 'NOT_FOUND', message: path } }));
  });
  const socket = config.sidecarMcpSocket;
  // A socket left by a process that died would refuse the listen.
  if (socket) await unlink(socket).catch(() => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (socket) server.listen(socket, () => resolve());
    else server.listen(config.sidecarMcpPort, config.host, () => resolve());
  });
  return {
    plane,
    // On a Unix socket the port announced is 0 (the socket's path is the address).
    mcpPort: socket ? 0 : (server.address() as AddressInfo).port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      link.close();
      probeLink?.close();
      await stdio?.stop();
    },
  };
}

/** The headers of the sidecar's own MCP POSTs to the agent (probe, rehearsal). */
const MCP_POST = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/** Any HTTP answer to a POST /mcp ping means the agent is up (a stateful server says 400). */
async function probeAgent(link: AgentLink): Promise<void> {
  await link.call(
    'POST',
    MCP_POST,
    Buffer.from('{"jsonrpc":"2.0","id":"warmgate-probe","method":"ping"}'),
    64 * 1024,
  );
}

/**
 * An MCP session of the sidecar's own: initialize, then DELETE. Run once right after a bind so
 * the agent's first-request work is not on the gateway's path (ControlClient.rehearse); any
 * MCP server over HTTP answers it. A server that keeps no sessions gets no DELETE.
 */
async function rehearseSession(link: AgentLink): Promise<void> {
  const answer = await link.call(
    'POST',
    MCP_POST,
    Buffer.from(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 'warmgate-rehearsal',
        method: 'initialize',
        params: {
          protocolVersion: '2025-03-26',
          capabilities: {},
          clientInfo: { name: 'warmgate-sidecar-rehearsal', version: '0.1.0' },
        },
      }),
    ),
    256 * 1024,
  );
  const session = answer.headers['mcp-session-id'];
  if (typeof session !== 'string' || session === '') return;
  await link.call('DELETE', { 'mcp-session-id': session }, Buffer.alloc(0), 64 * 1024);
}

async function waitForAgent(probe: () => Promise<void>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let delay = 10; Date.now() < deadline; delay = Math.min(delay * 2, 250)) {
    try {
      await probe();
      return;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  throw errors.unavailable(
    `the agent did not answer within ${timeoutMs} ms (${String((last as Error)?.message ?? last)})`,
  );
}

/** What a stdio agent's process gets: the process basics and its own settings, no secret. */
function agentEnv(workspace: string): NodeJS.ProcessEnv {
  // WARMGATE_WORKSPACE_DIR too, so a sweep by environment finds the agent with its sidecar.
  const env: NodeJS.ProcessEnv = {
    WARMGATE_WORKSPACE: workspace,
    WARMGATE_WORKSPACE_DIR: workspace,
  };
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (
      ['PATH', 'HOME', 'USER', 'LANG', 'TZ', 'TMPDIR', 'XDG_CACHE_HOME'].includes(name) ||
      name.startsWith('LC_') ||
      ['WARMGATE_AGENT_ISOLATION', 'WARMGATE_BWRAP'].includes(name) ||
      name.startsWith('WARMGATE_INDICATOR_')
    ) {
      env[name] = value;
    }
  }
  return env;
}
