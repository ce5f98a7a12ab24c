// W3C trace context across every gRPC hop the adapter carries: clients inject the active
// context into the call's metadata, servers continue it and run each call in a SERVER span
// named `<package.Service>/<Method>`. Only @opentelemetry/api: without an SDK installed by the
// process's entry point these are no-ops.
import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
} from '@opentelemetry/api';
import type { DescMethod } from '@bufbuild/protobuf';
import { codeName, WarmgateError } from '../errors.js';

const tracer = trace.getTracer('warmgate-grpc');

/** The active trace context as metadata entries (`traceparent`, `tracestate`). */
export function traceMetadata(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** Runs a server call in a SERVER span that continues the caller's trace context. */
export function serverSpan<T>(
  method: DescMethod,
  headers: Readonly<Record<string, string>>,
  run: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = propagation.extract(context.active(), headers);
  const name = `${method.parent.typeName}/${method.name}`;
  return context.with(parent, () =>
    tracer.startActiveSpan(
      name,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'rpc.system': 'grpc',
          'rpc.service': method.parent.typeName,
          'rpc.method': method.name,
        },
      },
      async (span) => {
        try {
          return await run(span);
        } catch (error) {
          const code = codeName(WarmgateError.from(error).code);
          span.setStatus({ code: SpanStatusCode.ERROR, message: code });
          throw error;
        } finally {
          span.end();
        }
      },
    ),
  );
}
