// `node gateway/dist/main.js`: one gateway process (HTTP/WS 8080, gRPC 50051) in front of a
// pool manager at WARMGATE_POOL_ADDRESS. The OpenTelemetry SDK starts here.
import { loadConfig, type GatewayConfig } from './config.js';
import { runGateway, untilSignal } from './wiring/run-gateway.js';
import { startTelemetry } from './telemetry/setup.js';

async function main(): Promise<number> {
  let config: GatewayConfig;
  try {
    config = loadConfig();
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  if (config.poolSecret === undefined) {
    console.error(
      'invalid gateway configuration:\n  WARMGATE_POOL_SECRET (or WARMGATE_POOL_SECRET_FILE): required, the pool manager refuses calls without it',
    );
    return 2;
  }
  if (config.mcp.sessionSecret === undefined) {
    console.error(
      'gateway: WARMGATE_MCP_SESSION_SECRET unset: a random key signs MCP session ids, so other replicas (and this one after a restart) will not honour them',
    );
  }
  const telemetry = await startTelemetry('warmgate-gateway');
  const gateway = await runGateway(config, telemetry);
  console.log(
    JSON.stringify({
      ready: true,
      role: 'gateway',
      httpPort: gateway.httpPort,
      grpcPort: gateway.grpcPort,
    }),
  );
  const signal = await untilSignal();
  console.error(`gateway: ${signal}: draining`);
  await gateway.close();
  await telemetry.shutdown();
  return 0;
}

process.exitCode = await main();
