// Records the LLM latency metric and a span around any Model: one per model request, from the
// request to the end of its stream, labelled with the kind of model and the outcome code.
import { SpanStatusCode } from '@opentelemetry/api';
import { codeName, WarmgateError } from '@warmgate/proto';
import type { Model, ModelRequest } from '../core/turn/index.js';
import { gatewayMetrics } from '../telemetry/metrics.js';
import { tracer } from '../telemetry/tracer.js';

export type ModelKind = 'openai' | 'offline';

export function measuredModel(model: Model, kind: ModelKind): Model {
  return { name: model.name, stream: (request) => measured(model, kind, request) };
}

async function* measured(model: Model, kind: ModelKind, request: ModelRequest) {
  const started = performance.now();
  const span = tracer.startSpan('llm.request', {
    attributes: { 'warmgate.model_kind': kind, 'gen_ai.request.model': model.name },
  });
  let outcome = 'ok';
  try {
    for await (const event of model.stream(request)) yield event;
  } catch (error) {
    outcome = codeName(WarmgateError.from(error).code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    throw error;
  } finally {
    // A consumer that stops early (cancel) ends here too, with outcome "ok" unless aborted.
    if (outcome === 'ok' && request.signal.aborted) outcome = 'CANCELLED';
    span.setAttribute('warmgate.outcome', outcome);
    span.end();
    gatewayMetrics().llmLatency.record((performance.now() - started) / 1000, {
      model_kind: kind,
      outcome,
    });
  }
}
