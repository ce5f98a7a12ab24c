// OTLP export for every Warmgate process, loaded only when the operator asked for it: with
// OTEL_EXPORTER_OTLP_ENDPOINT (or a per-signal endpoint) unset, nothing here imports the SDK,
// so an idle agent or sidecar pays nothing for telemetry. Called only by entry points.
//
// OTEL_EXPORTER_OTLP_PROTOCOL (per signal: OTEL_EXPORTER_OTLP_{TRACES,METRICS}_PROTOCOL)
// picks the exporter package: http/protobuf (the spec's default), http/json or grpc. The
// exporters themselves read the endpoint, headers and timeouts from the standard variables.
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { MetricReader } from '@opentelemetry/sdk-metrics';

export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';

type Env = Readonly<Record<string, string | undefined>>;

/** True when an OTLP endpoint is configured for traces or metrics. */
export function otlpConfigured(env: Env = process.env): boolean {
  return Boolean(
    env.OTEL_EXPORTER_OTLP_ENDPOINT ||
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ||
    env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
  );
}

/** The protocol for a signal; a value outside the three is an error naming the setting. */
export function otlpProtocol(signal: 'TRACES' | 'METRICS', env: Env = process.env): OtlpProtocol {
  const name = env[`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`]
    ? `OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const value = (env[name] || 'http/protobuf').trim();
  if (value === 'http/protobuf' || value === 'http/json' || value === 'grpc') return value;
  throw new Error(`${name} must be http/protobuf, http/json or grpc, not "${value}"`);
}

export interface OtlpParts {
  readonly spanProcessor: SpanProcessor;
  readonly metricReader: MetricReader;
}

/** A batch span processor and a periodic metric reader exporting over OTLP. */
export async function loadOtlpParts(env: Env = process.env): Promise<OtlpParts> {
  const [{ BatchSpanProcessor }, { PeriodicExportingMetricReader }] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-metrics'),
  ]);
  const spanExporter = await traceExporter(otlpProtocol('TRACES', env));
  const metricExporter = await metricExporterFor(otlpProtocol('METRICS', env));
  const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL) || 60_000;
  return {
    spanProcessor: new BatchSpanProcessor(spanExporter, {
      scheduledDelayMillis: Number(env.OTEL_BSP_SCHEDULE_DELAY) || 1_000,
    }),
    metricReader: new PeriodicExportingMetricReader({
      exporter: metricExporter,
      exportIntervalMillis: interval,
      exportTimeoutMillis: Math.min(30_000, interval),
    }),
  };
}

async function traceExporter(protocol: OtlpProtocol) {
  switch (protocol) {
    case 'http/json':
      return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
    case 'grpc':
      return new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter();
    default:
      return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
  }
}

async function metricExporterFor(protocol: OtlpProtocol) {
  switch (protocol) {
    case 'http/json':
      return new (await import('@opentelemetry/exporter-metrics-otlp-http')).OTLPMetricExporter();
    case 'grpc':
      return new (await import('@opentelemetry/exporter-metrics-otlp-grpc')).OTLPMetricExporter();
    default:
      return new (await import('@opentelemetry/exporter-metrics-otlp-proto')).OTLPMetricExporter();
  }
}
