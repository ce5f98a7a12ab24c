// The OpenTelemetry SDK, installed once by a process entry point (gateway main, npm start).
// Everything else in the gateway uses @opentelemetry/api only.
import { metrics } from '@opentelemetry/api';
import { loadOtlpParts, otlpConfigured, recordProcessMetrics } from '@warmgate/telemetry';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { resetGatewayMetrics } from './metrics.js';

export interface Telemetry {
  /** The Prometheus text exposition of every metric collected so far. */
  scrape(): Promise<string>;
  shutdown(): Promise<void>;
}

/**
 * Installs a MeterProvider read by a Prometheus exporter that never opens its own server (the
 * gateway serves /metrics on its HTTP port) and a tracer provider with the W3C propagator.
 * When OTEL_EXPORTER_OTLP_ENDPOINT is set, spans and metrics are also exported over OTLP
 * (OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf, http/json or grpc); the exporters are loaded
 * only then. Process metrics (memory, event-loop delay, GC) are recorded either way.
 */
export async function startTelemetry(
  serviceName: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Telemetry> {
  const resource = resourceFromAttributes({ 'service.name': serviceName });
  const otlp = otlpConfigured(env) ? await loadOtlpParts(env) : undefined;
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({
    resource,
    readers: otlp ? [exporter, otlp.metricReader] : [exporter],
  });
  metrics.setGlobalMeterProvider(meterProvider);
  resetGatewayMetrics();
  const stopProcessMetrics = recordProcessMetrics();
  const tracerProvider = new NodeTracerProvider({
    resource,
    spanProcessors: otlp ? [otlp.spanProcessor] : [],
  });
  tracerProvider.register();
  const serializer = new PrometheusSerializer();
  return {
    async scrape() {
      const { resourceMetrics } = await exporter.collect();
      return serializer.serialize(resourceMetrics);
    },
    async shutdown() {
      stopProcessMetrics();
      await Promise.allSettled([meterProvider.shutdown(), tracerProvider.shutdown()]);
      metrics.disable();
      resetGatewayMetrics();
    },
  };
}
