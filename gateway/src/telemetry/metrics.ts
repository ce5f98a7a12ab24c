// The gateway's metric instruments, named once here and used by every part of the gateway
// (transports, session core, LLM loop, upstream). Labels are bounded enums, never ids or raw
// error text. Instruments are created on first use, after main.ts has installed the SDK's
// MeterProvider (the metrics API has no proxy provider: a meter taken earlier stays no-op).
import { metrics, type Counter, type Histogram, type UpDownCounter } from '@opentelemetry/api';

export type TransportLabel = 'ws' | 'grpc' | 'memory';
export type ToolRouteLabel = 'platform' | 'user';
/** `ok`, `tool_error` (the tool ran and set is_error) or an ErrorCode name, e.g. `DEADLINE_EXCEEDED`. */
export type OutcomeLabel = string;
export type AcquireSourceLabel = 'existing' | 'warm' | 'cold';

export interface GatewayMetrics {
  /** Open client connections: WebSocket sockets, gRPC Chat streams. Label: transport. */
  readonly connections: UpDownCounter;
  /** Client messages received. Labels: transport, kind (chat, call_tool, list_tools, read_resource, ...). */
  readonly messages: Counter;
  /** Tool calls. Labels: route (platform|user), outcome. */
  readonly toolCalls: Counter;
  /** One LLM request, seconds. Labels: model_kind (openai|offline), outcome. */
  readonly llmLatency: Histogram;
  /** Pool.Acquire as the gateway saw it, seconds. Label: source (existing|warm|cold). */
  readonly acquireLatency: Histogram;
  /** A turn from first to last event, seconds. Label: outcome. */
  readonly turnDuration: Histogram;
  /** Refusals by admission control. Labels: transport (ws|grpc|any), reason (admission.ts). */
  readonly admissionRefusals: Counter;
}

export const METER_NAME = 'warmgate-gateway';

let instruments: GatewayMetrics | undefined;

/** The gateway's instruments (created on first call). */
export function gatewayMetrics(): GatewayMetrics {
  if (instruments) return instruments;
  const meter = metrics.getMeter(METER_NAME);
  const seconds = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
  instruments = {
    connections: meter.createUpDownCounter('warmgate_gateway_connections', {
      description: 'Open client connections by transport',
    }),
    messages: meter.createCounter('warmgate_gateway_messages', {
      description: 'Client messages received by transport and kind',
    }),
    toolCalls: meter.createCounter('warmgate_gateway_tool_calls', {
      description: 'Tool calls by route (platform|user) and outcome',
    }),
    llmLatency: meter.createHistogram('warmgate_gateway_llm_latency_seconds', {
      description: 'Latency of one LLM request',
      unit: 's',
      advice: { explicitBucketBoundaries: seconds },
    }),
    acquireLatency: meter.createHistogram('warmgate_gateway_acquire_latency_seconds', {
      description: 'Pool.Acquire latency by source (existing|warm|cold)',
      unit: 's',
      advice: { explicitBucketBoundaries: seconds },
    }),
    turnDuration: meter.createHistogram('warmgate_gateway_turn_duration_seconds', {
      description: 'Duration of one chat turn',
      unit: 's',
      advice: { explicitBucketBoundaries: seconds },
    }),
    admissionRefusals: meter.createCounter('warmgate_gateway_admission_refusals', {
      description: 'Connections, requests and turns refused by admission control, by reason',
    }),
  };
  return instruments;
}

/** Forgets the instruments, so tests that install a fresh MeterProvider see new ones. */
export function resetGatewayMetrics(): void {
  instruments = undefined;
}
