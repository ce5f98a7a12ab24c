// `node pool-manager/dist/main.js`: the pool manager as a process. The OpenTelemetry SDK and
// the Prometheus exporter are set up here and nowhere else.
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { startOtlpTelemetry } from '@warmgate/telemetry';
import { ConfigError, loadConfig, type PoolManagerConfig } from './config.js';
import { startPoolManager, type RunningPoolManager } from './start.js';

/**
 * OTLP (spans + metrics + process metrics) when OTEL_EXPORTER_OTLP_ENDPOINT is set; else
 * Prometheus on the metrics port (none with port 0).
 */
async function startMetrics(config: PoolManagerConfig): Promise<() => Promise<void>> {
  const otlp = await startOtlpTelemetry('warmgate-pool-manager');
  if (otlp) return () => otlp.shutdown();
  if (config.metrics.port === 0) return async () => {};
  const exporter = new PrometheusExporter({ host: config.metrics.host, port: config.metrics.port });
  const provider = new MeterProvider({ readers: [exporter] });
  metrics.setGlobalMeterProvider(provider);
  return () => provider.shutdown();
}

async function main(): Promise<number> {
  let config: PoolManagerConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const stopMetrics = await startMetrics(config);
  let running: RunningPoolManager;
  try {
    running = await startPoolManager(config);
  } catch (error) {
    // E.g. an unreadable WARMGATE_POOL_POD_TEMPLATE or an unreachable cluster: one line, no
    // config dump (the store secret must never reach a log).
    console.error(`pool-manager: start-up failed: ${(error as Error).message}`);
    await stopMetrics();
    return 1;
  }
  console.log(JSON.stringify({ ready: true, role: 'pool-manager', port: running.port }));
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      console.error(
        `pool-manager: ${signal}: draining every binding (grace ${config.shutdownGraceMs} ms)`,
      );
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await running.close();
  await stopMetrics();
  return 0;
}

process.exitCode = await main();
