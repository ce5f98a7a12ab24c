// The pool's spans, through @opentelemetry/api only (no-ops until an entry point installs the
// SDK). They run inside the Pool/<Method> server span the gRPC adapter opens for the caller's
// trace, and the Lifecycle client carries the context on to the sidecar.
import { SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { codeName, WarmgateError } from '@warmgate/proto';

const tracer = trace.getTracer('warmgate-pool-manager');

export function poolSpan<T>(
  name: string,
  attributes: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn();
    } catch (error) {
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: codeName(WarmgateError.from(error).code),
      });
      throw error;
    } finally {
      span.end();
    }
  });
}
