// The one place provider (openai client) failures become ErrorCodes. The chat client is never
// at fault for what happens between the gateway and its model provider, so no failure here
// becomes a client-fault code (INVALID_ARGUMENT, PERMISSION_DENIED, UNAUTHENTICATED, ...):
//
//   provider said / client threw           ErrorCode            why
//   --------------------------------------------------------------------------------------
//   our abort (cancel, turn deadline)      the abort's reason   CANCELLED / DEADLINE_EXCEEDED
//   APIConnectionTimeoutError              DEADLINE_EXCEEDED    the provider did not answer in time
//   APIConnectionError (refused, reset)    UNAVAILABLE          transient: try again later
//   401, 403                               UNAVAILABLE          the GATEWAY's key is refused: an
//                                                               operator fix (WARMGATE_LLM_API_KEY);
//                                                               the model is unavailable to clients
//   404                                    UNAVAILABLE          wrong WARMGATE_LLM_BASE_URL or model
//   429                                    RESOURCE_EXHAUSTED   provider rate limit or quota
//   400, 409, 422, other 4xx               INTERNAL             the gateway built a request the
//                                                               provider refused: our bug
//   5xx, error event inside the stream     UNAVAILABLE          provider trouble
//   malformed stream (bad JSON, no id)     INTERNAL             provider broke the protocol
//   anything else                          INTERNAL             (WarmgateError.from's default)
import { ErrorCode, WarmgateError } from '@warmgate/proto';
import OpenAI from 'openai';

export function fromOpenAiError(error: unknown, signal: AbortSignal): WarmgateError {
  if (signal.aborted) return WarmgateError.from(signal.reason);
  if (error instanceof WarmgateError) return error;
  if (error instanceof OpenAI.APIUserAbortError) {
    return new WarmgateError(ErrorCode.CANCELLED, 'the model request was cancelled', {
      cause: error,
    });
  }
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return wrap(ErrorCode.DEADLINE_EXCEEDED, 'the model provider did not answer in time', error);
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return wrap(ErrorCode.UNAVAILABLE, 'cannot reach the model provider', error);
  }
  if (error instanceof OpenAI.APIError) return fromStatus(error);
  if (error instanceof SyntaxError) {
    return wrap(ErrorCode.INTERNAL, 'the model provider sent a malformed stream', error);
  }
  return WarmgateError.from(error);
}

function fromStatus(error: InstanceType<typeof OpenAI.APIError>): WarmgateError {
  const status = error.status;
  if (status === undefined) {
    return wrap(ErrorCode.UNAVAILABLE, 'the model provider reported an error mid-stream', error);
  }
  if (status === 401 || status === 403) {
    return wrap(
      ErrorCode.UNAVAILABLE,
      `the model provider refused the gateway's credentials (HTTP ${status}); check WARMGATE_LLM_API_KEY`,
      error,
    );
  }
  if (status === 404) {
    return wrap(
      ErrorCode.UNAVAILABLE,
      'the model provider does not know this endpoint or model (HTTP 404); check WARMGATE_LLM_BASE_URL and WARMGATE_LLM_MODEL',
      error,
    );
  }
  if (status === 429) {
    return wrap(
      ErrorCode.RESOURCE_EXHAUSTED,
      'the model provider is rate-limiting (HTTP 429)',
      error,
    );
  }
  if (status >= 500) {
    return wrap(ErrorCode.UNAVAILABLE, `the model provider failed (HTTP ${status})`, error);
  }
  return wrap(ErrorCode.INTERNAL, `the model provider refused the request (HTTP ${status})`, error);
}

function wrap(code: ErrorCode, message: string, cause: unknown): WarmgateError {
  const detail = cause instanceof Error && cause.message ? `: ${cause.message}` : '';
  return new WarmgateError(code, `${message}${detail}`, { cause });
}

/** A stream the provider broke (tool call without id or name, no finish reason, ...). */
export function malformedStream(what: string): WarmgateError {
  return new WarmgateError(
    ErrorCode.INTERNAL,
    `the model provider sent a malformed stream: ${what}`,
  );
}
