import { describe, expect, it } from 'vitest';
import { otlpConfigured, otlpProtocol } from './otlp-exporters.js';
import { startOtlpTelemetry } from './start-otlp.js';

describe('OTLP settings', () => {
  it('is off without an endpoint, and then starts nothing', async () => {
    expect(otlpConfigured({})).toBe(false);
    expect(otlpConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBe(false);
    expect(await startOtlpTelemetry('warmgate-agent', {})).toBeUndefined();
  });

  it('is on with the general or a per-signal endpoint', () => {
    expect(otlpConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(true);
    expect(otlpConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://x/v1/traces' })).toBe(true);
  });

  it('reads the protocol, per signal first, http/protobuf by default', () => {
    expect(otlpProtocol('TRACES', {})).toBe('http/protobuf');
    expect(otlpProtocol('TRACES', { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBe('http/json');
    expect(
      otlpProtocol('METRICS', {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc',
      }),
    ).toBe('grpc');
  });

  it('names the setting when the protocol is unknown', () => {
    expect(() => otlpProtocol('TRACES', { OTEL_EXPORTER_OTLP_PROTOCOL: 'udp' })).toThrow(
      'OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf, http/json or grpc, not "udp"',
    );
  });
});
