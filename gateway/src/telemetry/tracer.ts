// The gateway's tracer. The trace API has a proxy provider, so taking it at import time is
// fine: spans become real once main.ts has installed the SDK.
import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { codeName, WarmgateError } from '@warmgate/proto';

export const tracer = trace.getTracer('warmgate-gateway');

/** Runs `fn` in a new active span, recording a failure with its ErrorCode name. */
export async function inSpan<T>(
  name: string,
  attributes: Record<string, string | number | boolean>,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      const failure = WarmgateError.from(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: codeName(failure.code) });
      span.setAttribute('warmgate.error_code', codeName(failure.code));
      throw error;
    } finally {
      span.end();
    }
  });
}
