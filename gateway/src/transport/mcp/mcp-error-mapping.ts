// The MCP edge's mapping of errors, in one place. Three outcomes:
//   - HTTP status: a request refused before JSON-RPC (authentication: 401 with
//     WWW-Authenticate, 403), and the transport's own refusals;
//   - a JSON-RPC error in a 200 answer, `data.warmgate_code` naming the ErrorCode;
//   - for tools/call, a failure of the tool itself is a result with `isError: true` (as the
//     spec asks, so the model can see it), `_meta["warmgate/code"]` naming the code.
import { codeName, ErrorCode, type WarmgateError } from '@warmgate/proto';

export const JsonRpcCode = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** Implementation-defined server error (the range -32000..-32099). */
  serverError: -32000,
  /** MCP: resource not found. */
  resourceNotFound: -32002,
  /**
   * Warmgate: the MCP session has WARMGATE_MCP_MAX_IN_FLIGHT requests running on this replica
   * (in the implementation-defined range; 429 as in HTTP). Retry when one has finished.
   */
  tooManyInFlight: -32029,
} as const;

/** The answer to a request refused by the per-session in-flight limit (in-flight.ts). */
export function inFlightLimitError(limit: number): JsonRpcError {
  return {
    code: JsonRpcCode.tooManyInFlight,
    message: `too many requests in flight for this MCP session (the limit is ${limit}, WARMGATE_MCP_MAX_IN_FLIGHT): retry when one has finished`,
    data: { warmgate_code: codeName(ErrorCode.RESOURCE_EXHAUSTED) },
  };
}

export interface JsonRpcError {
  readonly code: number;
  readonly message: string;
  readonly data?: { readonly warmgate_code?: string; readonly supported?: readonly string[] };
}

/** The JSON-RPC error for a failed method. Exhaustive; unknown codes are internal errors. */
export function jsonRpcErrorFor(error: WarmgateError, method: string): JsonRpcError {
  const data = { warmgate_code: codeName(error.code) };
  const code = jsonRpcCodeFor(error.code, method);
  const message = code === JsonRpcCode.internalError ? 'internal error' : error.message;
  return { code, message, data };
}

function jsonRpcCodeFor(code: ErrorCode, method: string): number {
  switch (code) {
    case ErrorCode.INVALID_ARGUMENT:
    case ErrorCode.OUT_OF_RANGE:
      return JsonRpcCode.invalidParams;
    case ErrorCode.NOT_FOUND:
      // The spec: an unknown resource is -32002, an unknown tool is invalid params.
      return method === 'resources/read' ? JsonRpcCode.resourceNotFound : JsonRpcCode.invalidParams;
    case ErrorCode.UNIMPLEMENTED:
      return JsonRpcCode.methodNotFound;
    case ErrorCode.UNAUTHENTICATED:
    case ErrorCode.PERMISSION_DENIED:
    case ErrorCode.FAILED_PRECONDITION:
    case ErrorCode.RESOURCE_EXHAUSTED:
    case ErrorCode.UNAVAILABLE:
    case ErrorCode.DEADLINE_EXCEEDED:
    case ErrorCode.ABORTED:
    case ErrorCode.CANCELLED:
    case ErrorCode.ALREADY_EXISTS:
      return JsonRpcCode.serverError;
    case ErrorCode.UNKNOWN:
    case ErrorCode.INTERNAL:
    case ErrorCode.DATA_LOSS:
    case ErrorCode.UNSPECIFIED:
      return JsonRpcCode.internalError;
    default: {
      const unhandled: never = code;
      void unhandled;
      return JsonRpcCode.internalError;
    }
  }
}

/** True when a tools/call failure is the caller's protocol fault, not the tool's failure. */
export function isProtocolFault(code: ErrorCode): boolean {
  return code === ErrorCode.INVALID_ARGUMENT || code === ErrorCode.NOT_FOUND;
}

/** A tool that failed, as the tools/call result the spec prescribes. */
export function toolErrorResult(error: WarmgateError) {
  const message =
    error.code === ErrorCode.INTERNAL || error.code === ErrorCode.UNKNOWN
      ? 'internal error'
      : error.message;
  return {
    content: [{ type: 'text' as const, text: `${codeName(error.code)}: ${message}` }],
    isError: true,
    _meta: { 'warmgate/code': codeName(error.code) },
  };
}

/** The HTTP status of a request refused before JSON-RPC dispatch (authentication, session). */
export function httpStatusFor(code: ErrorCode): string {
  switch (code) {
    case ErrorCode.UNAUTHENTICATED:
      return '401 Unauthorized';
    case ErrorCode.PERMISSION_DENIED:
      return '403 Forbidden';
    case ErrorCode.NOT_FOUND:
      return '404 Not Found';
    case ErrorCode.INVALID_ARGUMENT:
    case ErrorCode.FAILED_PRECONDITION:
    case ErrorCode.OUT_OF_RANGE:
      return '400 Bad Request';
    case ErrorCode.RESOURCE_EXHAUSTED:
      return '429 Too Many Requests';
    case ErrorCode.UNAVAILABLE:
    case ErrorCode.ABORTED:
      return '503 Service Unavailable';
    case ErrorCode.DEADLINE_EXCEEDED:
      return '504 Gateway Timeout';
    case ErrorCode.UNIMPLEMENTED:
      return '405 Method Not Allowed';
    case ErrorCode.CANCELLED:
    case ErrorCode.ALREADY_EXISTS:
    case ErrorCode.UNKNOWN:
    case ErrorCode.INTERNAL:
    case ErrorCode.DATA_LOSS:
    case ErrorCode.UNSPECIFIED:
      return '500 Internal Server Error';
    default: {
      const unhandled: never = code;
      void unhandled;
      return '500 Internal Server Error';
    }
  }
}
