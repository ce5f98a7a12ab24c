// Trace context across process boundaries: to the pool manager (gRPC metadata) and to the
// agent (HTTP headers), both as W3C `traceparent`/`tracestate`. The propagator itself is
// installed by the SDK set-up (telemetry/setup.ts); without it these are no-ops.
import { context, propagation, trace, type Context, type Span } from '@opentelemetry/api';

/** Headers carrying the active (or given) trace context, e.g. `{ traceparent: '00-...' }`. */
export function traceHeaders(from: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(from, carrier);
  return carrier;
}

/** Adds the trace headers to an existing header object (gRPC CallOptions.headers, fetch init). */
export function withTraceHeaders(
  headers: Record<string, string> = {},
  from: Context = context.active(),
): Record<string, string> {
  return { ...headers, ...traceHeaders(from) };
}

/** The context a client sent (gRPC metadata / HTTP headers with lower-case keys). */
export function contextFromHeaders(headers: Readonly<Record<string, string>>): Context {
  return propagation.extract(context.active(), headers);
}

/** The context with `span` active, for code that continues the trace. */
export function contextWithSpan(span: Span, parent: Context = context.active()): Context {
  return trace.setSpan(parent, span);
}
