export { loadOtlpParts, otlpConfigured, otlpProtocol, type OtlpParts } from './otlp-exporters.js';
export { recordProcessMetrics } from './process-metrics.js';
export { startOtlpTelemetry, type ProcessTelemetry } from './start-otlp.js';
