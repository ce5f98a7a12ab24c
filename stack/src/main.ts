// `npm start`: the whole stack on one machine — the pool manager (local-process runtime,
// on-disk repo store under .warmgate/, agents from agent/dist/main.js) and the gateway in
// this process. Ctrl-C drains: the gateway stops accepting and closes sessions, then the pool
// manager drains every agent.
import { loadConfig, runGateway, startTelemetry, untilSignal } from '@warmgate/gateway';
import { loadConfig as loadPoolConfig, startPoolManager } from '@warmgate/pool-manager';

async function main(): Promise<number> {
  let poolConfig;
  let gatewayConfig;
  try {
    poolConfig = loadPoolConfig();
    gatewayConfig = loadConfig();
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  // One SDK for both: the pool manager's metrics appear on the gateway's /metrics too, and its
  // spans are exported as warmgate-gateway's (one process, one service.name).
  const telemetry = await startTelemetry('warmgate-gateway');
  console.log('warmgate: starting the pool manager (warming agents)…');
  const pool = await startPoolManager(poolConfig);
  let gateway;
  try {
    // The pool manager's deployment secret stays in this process (configured or generated).
    gateway = await runGateway(
      { ...gatewayConfig, poolAddress: pool.address, poolSecret: pool.secret },
      telemetry,
    );
  } catch (error) {
    await pool.close();
    throw error;
  }
  const host = gatewayConfig.host === '0.0.0.0' ? '127.0.0.1' : gatewayConfig.host;
  console.log(
    [
      'warmgate: ready',
      `  web chat      http://${host}:${gateway.httpPort}/`,
      `  WebSocket     ws://${host}:${gateway.httpPort}/ws`,
      `  MCP           http://${host}:${gateway.httpPort}/mcp (Streamable HTTP)`,
      `  gRPC          ${host}:${gateway.grpcPort} (warmgate.gateway.v1.Gateway, health, reflection)`,
      `  metrics       http://${host}:${gateway.httpPort}/metrics`,
      `  pool manager  ${pool.address}`,
      `  model         ${gateway.modelName}`,
      'Ctrl-C stops (drains sessions and agents).',
    ].join('\n'),
  );
  console.log(
    JSON.stringify({
      ready: true,
      role: 'stack',
      httpPort: gateway.httpPort,
      grpcPort: gateway.grpcPort,
      poolAddress: pool.address,
    }),
  );
  const signal = await untilSignal();
  console.log(`warmgate: ${signal}: draining the gateway, then the agents…`);
  // A second Ctrl-C while draining exits at once.
  process.once('SIGINT', () => process.exit(130));
  await gateway.close();
  await pool.close();
  await telemetry.shutdown();
  console.log('warmgate: stopped');
  return 0;
}

process.exitCode = await main();
