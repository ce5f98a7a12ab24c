// The OpenTelemetry SDK, installed once by a process entry point (gateway main, npm start).
// Everything else in the gateway uses @opentelemetry/api only.
import { metrics } from '@opentelemetry/api';
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
 * Installs a MeterProvider whose only reader is a Prometheus exporter that never opens its
 * own server (the gateway serves /metrics on its HTTP port), and a tracer provider with the
 * W3C propagator. Span export is left to the operator's OTel collector set-up.
 */
export function startTelemetry(serviceName: string): Telemetry {
  const resource = resourceFromAttributes({ 'service.name': serviceName });
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ resource, readers: [exporter] });
  metrics.setGlobalMeterProvider(meterProvider);
  resetGatewayMetrics();
  const tracerProvider = new NodeTracerProvider({ resource });
  tracerProvider.register();
  const serializer = new PrometheusSerializer();
  return {
    async scrape() {
      const { resourceMetrics } = await exporter.collect();
      return serializer.serialize(resourceMetrics);
    },
    async shutdown() {
      await Promise.allSettled([meterProvider.shutdown(), tracerProvider.shutdown()]);
      metrics.disable();
      resetGatewayMetrics();
    },
  };
}
