// The gateway's two listeners over one session core: uWebSockets.js (HTTP + /ws) and grpc-js.
import { admittedCore, type Admission } from '../admission/index.js';
import type { GatewayConfig } from '../config.js';
import type { SessionCore } from '../core/session/session-core.js';
import { randomBytes } from 'node:crypto';
import { createMcpEndpoint } from '../transport/mcp/mcp-endpoint.js';
import { addMcpRoutes } from '../transport/mcp/mcp-routes.js';
import { createGrpcServer } from '../transport/grpc/grpc-server.js';
import { createWsServer } from '../transport/ws/ws-server.js';
import { loadWebAssets } from '../web/web-assets.js';

export interface GatewayServersOptions {
  readonly core: SessionCore;
  readonly config: Pick<
    GatewayConfig,
    'host' | 'httpPort' | 'grpcPort' | 'limits' | 'drainTimeoutS' | 'grpc' | 'mcp'
  >;
  /** Connection caps and request rates (none: no admission control, for tests of other things). */
  readonly admission?: Admission;
  /** Readiness: the pool manager answers. */
  readonly ready: () => Promise<boolean>;
  /** Prometheus text for /metrics. */
  readonly scrape: () => Promise<string>;
}

export interface GatewayServers {
  readonly httpPort: number;
  readonly grpcPort: number;
  /** Open WebSocket connections. */
  wsConnections(): number;
  /** Stops accepting, closes sockets (1001), lets gRPC calls finish within the drain timeout. */
  close(): Promise<void>;
}

export async function startGatewayServers(options: GatewayServersOptions): Promise<GatewayServers> {
  const { core, config } = options;
  const { admission } = options;
  const ws = createWsServer({
    core,
    admission,
    limits: config.limits,
    http: { ready: options.ready, scrape: options.scrape, assets: loadWebAssets() },
    routes: (app, draining) =>
      addMcpRoutes(app, {
        endpoint: createMcpEndpoint({
          // MCP requests pass the same per-principal request rate (no connection caps: HTTP).
          core: admittedCore(core, admission, 'mcp'),
          config: config.mcp,
          // Without a shared secret, sessions belong to this process alone (see config.ts).
          sessionSecret: config.mcp.sessionSecret ?? randomBytes(32),
        }),
        config: config.mcp,
        maxBodyBytes: config.limits.maxFrameBytes,
        draining,
      }),
  });
  const grpc = createGrpcServer(core, { options: config.grpc, admission });
  const httpPort = await ws.listen(config.host, config.httpPort);
  let grpcPort: number;
  try {
    grpcPort = await grpc.listen(config.host, config.grpcPort);
  } catch (error) {
    ws.close();
    throw error;
  }
  return {
    httpPort,
    grpcPort,
    wsConnections: () => ws.connections,
    async close() {
      ws.close();
      await grpc.close(config.drainTimeoutS * 1000);
    },
  };
}
