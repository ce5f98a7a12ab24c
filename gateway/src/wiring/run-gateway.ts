// Runs a whole gateway process: telemetry is expected to be set up by the caller (a main).
import { authWarnings } from '../auth/auth-warnings.js';
import type { GatewayConfig } from '../config.js';
import type { Telemetry } from '../telemetry/setup.js';
import { startGatewayServers } from './gateway-servers.js';
import { wireGateway } from './wire-gateway.js';

export interface RunningGateway {
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly modelName: string;
  /** Drains: stops accepting, closes sockets and streams, closes MCP sessions. */
  close(): Promise<void>;
}

export async function runGateway(
  config: GatewayConfig,
  telemetry: Telemetry,
): Promise<RunningGateway> {
  for (const warning of authWarnings(config.auth)) console.warn(`gateway: warning: ${warning}`);
  const wired = wireGateway(config);
  let servers;
  try {
    servers = await startGatewayServers({
      core: wired.core,
      admission: wired.admission,
      config,
      ready: wired.ready,
      scrape: telemetry.scrape,
    });
  } catch (error) {
    await wired.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    httpPort: servers.httpPort,
    grpcPort: servers.grpcPort,
    modelName: wired.modelName,
    close() {
      closing ??= servers.close().then(() => wired.close());
      return closing;
    },
  };
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string) => () => resolve(signal);
    process.once('SIGINT', on('SIGINT'));
    process.once('SIGTERM', on('SIGTERM'));
  });
}
