// One JSON-RPC request of an authenticated client, either revision: finds the method, holds a
// place under the session's in-flight limit for as long as it runs, and answers it — as one
// JSON body, or, when the client asked for progress (`_meta.progressToken`) and accepts an
// event stream, as a stream of notifications/progress followed by the response.
import { ErrorCode, WarmgateError } from '@warmgate/proto';
import type { Principal, Progress } from '../../core/ports.js';
import { errorBody, json } from './json-rpc-answers.js';
import type { JsonRpcMessage, McpRequest, McpResponse } from './mcp-endpoint.js';
import { inFlightLimitError, JsonRpcCode, jsonRpcErrorFor } from './mcp-error-mapping.js';
import type { Method, Params } from './mcp-methods.js';
import { callNameOf, type InFlight } from './in-flight.js';
import { acceptsEventStream, notification, streamedAnswer } from './sse.js';

export interface Dispatch {
  readonly methods: ReadonlyMap<string, Method>;
  readonly inFlight: InFlight;
  readonly refuse: (request: McpRequest, error: WarmgateError) => McpResponse;
  readonly request: McpRequest;
  readonly message: JsonRpcMessage;
  readonly principal: Principal;
  readonly signal: AbortSignal;
  /** Shapes a successful result (2026-07-28 adds resultType and cache hints). */
  readonly shape?: (method: string, result: object) => object;
}

type Id = string | number;

export async function dispatchRequest(d: Dispatch): Promise<McpResponse> {
  const id = d.message.id as Id;
  const name = d.message.method!;
  const method = d.methods.get(name);
  if (!method) {
    return json(
      errorBody(id, { code: JsonRpcCode.methodNotFound, message: `method not found: ${name}` }),
    );
  }
  const params = d.message.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    return json(
      errorBody(id, { code: JsonRpcCode.invalidParams, message: 'params must be an object' }),
    );
  }
  const session = d.principal.sessionId;
  const call = d.inFlight.start(session, id, d.signal);
  if (!call) return json(errorBody(id, inFlightLimitError(d.inFlight.limit)));
  const callName = callNameOf(session, id);
  const answer = async (onProgress?: (progress: Progress) => void) => {
    try {
      const result = await method(d.principal, params as Params, call.signal, {
        callName,
        onProgress,
      });
      return { jsonrpc: '2.0', id, result: d.shape ? d.shape(name, result) : result };
    } catch (error) {
      return WarmgateError.from(error);
    } finally {
      call.done();
    }
  };
  const progressToken = progressTokenOf(params as Params);
  if (progressToken !== undefined && acceptsEventStream(d.request.header('accept'))) {
    return streamedAnswer(async (notify) => {
      const outcome = await answer((progress) =>
        notify(notification('notifications/progress', { progressToken, ...progress })),
      );
      return outcome instanceof WarmgateError
        ? errorBody(id, jsonRpcErrorFor(outcome, name))
        : outcome;
    });
  }
  const outcome = await answer();
  if (!(outcome instanceof WarmgateError)) return json(outcome);
  if (outcome.code === ErrorCode.UNAUTHENTICATED) return d.refuse(d.request, outcome);
  return json(errorBody(id, jsonRpcErrorFor(outcome, name)));
}

function progressTokenOf(params: Params): string | number | undefined {
  const meta = params._meta;
  if (typeof meta !== 'object' || meta === null) return undefined;
  const token = (meta as { progressToken?: unknown }).progressToken;
  return typeof token === 'string' || typeof token === 'number' ? token : undefined;
}
