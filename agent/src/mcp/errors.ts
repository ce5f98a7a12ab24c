// The one place the agent maps WarmgateError codes onto MCP: tool failures become tool
// results with isError (the caller, often an LLM, reads the message); protocol failures
// become JSON-RPC errors carrying `data.warmgate_code` (the gateway maps that back intact);
// HTTP-level refusals get a status the gateway's client understands (401/403 = refused
// credential, 404 = unknown session, 503 = not serving).
import { McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { WarmgateError, codeName } from '@warmgate/proto';
import { jsonRpcCodeOf, toolErrorResult } from './error-codes.js';

export { WARMGATE_CODE_META, httpStatusOf, jsonRpcErrorBody } from './error-codes.js';

export function toToolError(reason: unknown): CallToolResult {
  return toolErrorResult(reason);
}

/** For failures inside MCP requests other than tool calls (e.g. resources/read). */
export function toMcpError(reason: unknown): McpError {
  const error = WarmgateError.from(reason);
  return new McpError(jsonRpcCodeOf(error.code), error.message, {
    warmgate_code: codeName(error.code),
  });
}
