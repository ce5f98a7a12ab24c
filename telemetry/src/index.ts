// @warmgate/telemetry: OTLP export and process metrics for every Warmgate process, used by
// entry points only. Nothing here imports the OpenTelemetry SDK until an OTLP endpoint is
// configured (the exporters are loaded on demand).
export { loadOtlpParts, otlpConfigured, otlpProtocol, type OtlpParts } from './otlp-exporters.js';
export { recordProcessMetrics } from './process-metrics.js';
export { startOtlpTelemetry, type ProcessTelemetry } from './start-otlp.js';
