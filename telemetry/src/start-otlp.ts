// The whole SDK for a process that has no other telemetry (pool manager, sidecar, agent):
// tracer provider (W3C propagator, async-hooks context) and meter provider, both exporting
// over OTLP, plus process metrics. Entry points only; returns undefined, having imported
// nothing, when no OTLP endpoint is configured.
import { loadOtlpParts, otlpConfigured } from './otlp-exporters.js';
import { recordProcessMetrics } from './process-metrics.js';

export interface ProcessTelemetry {
  shutdown(): Promise<void>;
}

export async function startOtlpTelemetry(
  serviceName: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<ProcessTelemetry | undefined> {
  if (!otlpConfigured(env)) return undefined;
  const [{ metrics }, { resourceFromAttributes }, { MeterProvider }, { NodeTracerProvider }] =
    await Promise.all([
      import('@opentelemetry/api'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/sdk-metrics'),
      import('@opentelemetry/sdk-trace-node'),
    ]);
  const { spanProcessor, metricReader } = await loadOtlpParts(env);
  const resource = resourceFromAttributes({ 'service.name': serviceName });
  const tracerProvider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  tracerProvider.register();
  const meterProvider = new MeterProvider({ resource, readers: [metricReader] });
  metrics.setGlobalMeterProvider(meterProvider);
  const stopProcessMetrics = recordProcessMetrics();
  return {
    async shutdown() {
      stopProcessMetrics();
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}
