// The one place the agent maps WarmgateError codes onto MCP: tool failures become tool
// results with isError (the caller, often an LLM, reads the message); protocol failures
// become JSON-RPC errors carrying `data.warmgate_code` (the gateway maps that back intact);
// HTTP-level refusals get a status the gateway's client understands (401/403 = refused
// credential, 404 = unknown session, 503 = not serving).
import { McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CODE_META } from '@warmgate/contract/meta-keys';
import { ErrorCode, WarmgateError, codeName } from '@warmgate/proto';

export const WARMGATE_CODE_META = CODE_META;

export function toToolError(reason: unknown): CallToolResult {
  const error = WarmgateError.from(reason);
  return {
    isError: true,
    content: [{ type: 'text', text: `${codeName(error.code)}: ${error.message}` }],
    _meta: { [WARMGATE_CODE_META]: codeName(error.code) },
  };
}

/** For failures inside MCP requests other than tool calls (e.g. resources/read). */
export function toMcpError(reason: unknown): McpError {
  const error = WarmgateError.from(reason);
  return new McpError(jsonRpcCodeOf(error.code), error.message, {
    warmgate_code: codeName(error.code),
  });
}

/** A JSON-RPC error body for a refusal that happens before MCP itself runs. */
export function jsonRpcErrorBody(reason: unknown): string {
  const error = WarmgateError.from(reason);
  return JSON.stringify({
    jsonrpc: '2.0',
    error: {
      code: jsonRpcCodeOf(error.code),
      message: error.message,
      data: { warmgate_code: codeName(error.code) },
    },
    id: null,
  });
}

function jsonRpcCodeOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.INVALID_ARGUMENT:
    case ErrorCode.NOT_FOUND:
      return -32602; // InvalidParams
    case ErrorCode.UNIMPLEMENTED:
      return -32601; // MethodNotFound
    default:
      return -32000; // implementation-defined server error
  }
}

export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.INVALID_ARGUMENT:
    case ErrorCode.OUT_OF_RANGE:
      return 400;
    case ErrorCode.UNAUTHENTICATED:
      return 401;
    case ErrorCode.PERMISSION_DENIED:
      return 403;
    case ErrorCode.NOT_FOUND:
      return 404;
    case ErrorCode.ALREADY_EXISTS:
    case ErrorCode.ABORTED:
    case ErrorCode.FAILED_PRECONDITION:
      return 409;
    case ErrorCode.RESOURCE_EXHAUSTED:
      return 429;
    case ErrorCode.UNIMPLEMENTED:
      return 501;
    case ErrorCode.UNAVAILABLE:
      return 503;
    case ErrorCode.DEADLINE_EXCEEDED:
      return 504;
    default:
      return 500;
  }
}
