// `node gateway/dist/main.js`: one gateway process (HTTP/WS 8080, gRPC 50051) in front of a
// pool manager at WARMGATE_POOL_ADDRESS. The OpenTelemetry SDK starts here.
import { loadConfig, type GatewayConfig } from './config.js';
import { runGateway, untilSignal } from './stack/run-gateway.js';
import { startTelemetry } from './telemetry/setup.js';

async function main(): Promise<number> {
  let config: GatewayConfig;
  try {
    config = loadConfig();
  } catch (error) {
    console.error((error as Error).message);
    return 2;
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
