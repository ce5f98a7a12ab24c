// Spans in the agent and the sidecar, with @opentelemetry/api only: no-ops unless the entry
// point installed the SDK (an OTLP endpoint is set).
import type { IncomingHttpHeaders } from 'node:http';
import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
} from '@opentelemetry/api';
import { codeName, WarmgateError } from '@warmgate/proto';

const tracer = trace.getTracer('warmgate-agent');

/** Runs `fn` in a new active span; a failure marks it with its ErrorCode name. */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: () => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  return tracer.startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await fn();
    } catch (error) {
      const code = codeName(WarmgateError.from(error).code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: code });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Runs an HTTP request's handling in a SERVER span continuing the caller's `traceparent`. */
export function serveTraced<T>(
  name: string,
  headers: IncomingHttpHeaders,
  fn: () => Promise<T>,
): Promise<T> {
  const carrier: Record<string, string> = {};
  for (const key of ['traceparent', 'tracestate']) {
    const value = headers[key];
    if (typeof value === 'string') carrier[key] = value;
  }
  return context.with(propagation.extract(context.active(), carrier), () =>
    inSpan(name, {}, fn, SpanKind.SERVER),
  );
}

/** The active trace context as HTTP headers. */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}
