// JSON-RPC answers as HTTP responses (Streamable HTTP answers a request with one JSON body).
import type { JsonRpcError } from './mcp-error-mapping.js';
import type { McpResponse } from './mcp-endpoint.js';

export function errorBody(id: string | number, error: JsonRpcError) {
  return { jsonrpc: '2.0', id, error };
}

export function json(body: object, headers: Record<string, string> = {}): McpResponse {
  return {
    status: '200 OK',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function rpcError(
  status: string,
  id: string | number | null,
  code: number,
  message: string,
): McpResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } }),
  };
}

export function plain(status: string, body: string): McpResponse {
  return { status, headers: { 'Content-Type': 'text/plain' }, body };
}
