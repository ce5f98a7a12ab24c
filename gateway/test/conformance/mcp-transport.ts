// The conformance scenarios over MCP Streamable HTTP (/mcp), with JSON-RPC written by hand so
// the test sees exactly what the gateway sent: a refusal's HTTP status and body, the
// `data.warmgate_code` of a JSON-RPC error, the `_meta["warmgate/code"]` of a failed tool.
// MCP answers are turned back into the Gateway API's messages, so scenarios run unchanged.
// MCP has no chat (an MCP client brings its own model): chat() fails with UNIMPLEMENTED.
import { create, type JsonObject } from '@bufbuild/protobuf';
import { ErrorCode, gatewayv1, parseCode, WarmgateError } from '@warmgate/proto';
import type { ChatHandle, ConformanceClient, ConformanceTransport } from './client.js';

interface RpcAnswer {
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: { warmgate_code?: string } };
}

const codeOf = (name: string | undefined) =>
  (name === undefined ? undefined : parseCode(name)) ?? ErrorCode.UNKNOWN;

export function mcpTransport(baseUrl: string): ConformanceTransport {
  return {
    name: 'mcp',
    async connect(token) {
      let ids = 0;
      let session = '';
      const headers = (): Record<string, string> => ({
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(session ? { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' } : {}),
      });
      const rpc = async (method: string, params: object = {}) => {
        const response = await fetch(`${baseUrl}/mcp`, {
          method: 'POST',
          headers: headers(),
          body: JSON.stringify({ jsonrpc: '2.0', id: ++ids, method, params }),
        });
        const answer = (await response.json()) as RpcAnswer;
        if (method === 'initialize') session = response.headers.get('mcp-session-id') ?? '';
        if (answer.error) {
          throw new WarmgateError(codeOf(answer.error.data?.warmgate_code), answer.error.message);
        }
        return answer.result!;
      };
      const ready = rpc('initialize', {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'warmgate-conformance', version: '1' },
      });
      // A refusal surfaces on the first call, as on the other transports.
      ready.catch(() => undefined);
      const call = async (method: string, params?: object) => {
        await ready;
        return rpc(method, params);
      };
      const client: ConformanceClient = {
        async listTools() {
          const { tools } = (await call('tools/list')) as { tools: McpTool[] };
          return create(gatewayv1.ListToolsResponseSchema, { tools: tools.map(fromMcpTool) });
        },
        async callTool(name, args) {
          const result = (await call('tools/call', { name, arguments: args ?? {} })) as McpResult;
          const code = result._meta?.['warmgate/code'];
          if (result.isError && code !== undefined) {
            // The gateway's own refusal, as a tool error (the spec's way): back to a failure.
            const text = result.content?.[0]?.text ?? '';
            throw new WarmgateError(codeOf(code), text.replace(/^[A-Z_]+: /, ''));
          }
          return create(gatewayv1.CallToolResponseSchema, {
            content: (result.content ?? []).map((part) => ({
              kind: { case: 'text' as const, value: part.text ?? '' },
            })),
            structuredContent: result.structuredContent,
            isError: result.isError ?? false,
          });
        },
        async readResource(uri) {
          const { contents } = (await call('resources/read', { uri })) as {
            contents: { uri: string; mimeType?: string; text?: string }[];
          };
          return create(gatewayv1.ReadResourceResponseSchema, {
            contents: contents.map((item) => ({
              uri: item.uri,
              mimeType: item.mimeType ?? '',
              body: { case: 'text' as const, value: item.text ?? '' },
            })),
          });
        },
        chat: () => noChat(),
        async close() {
          await ready.catch(() => undefined);
          if (!session) return;
          await fetch(`${baseUrl}/mcp`, { method: 'DELETE', headers: headers() });
        },
      };
      return client;
    },
    close: async () => undefined,
  };
}

interface McpTool {
  name: string;
  description?: string;
  inputSchema?: JsonObject;
  annotations?: { title?: string; readOnlyHint?: boolean; destructiveHint?: boolean };
  _meta?: { 'warmgate/route'?: string };
}

interface McpResult {
  content?: { type: string; text?: string }[];
  structuredContent?: JsonObject;
  isError?: boolean;
  _meta?: { 'warmgate/code'?: string };
}

function fromMcpTool(tool: McpTool): gatewayv1.Tool {
  return create(gatewayv1.ToolSchema, {
    name: tool.name,
    description: tool.description ?? '',
    inputSchema: tool.inputSchema,
    annotations: {
      title: tool.annotations?.title ?? '',
      readOnly: tool.annotations?.readOnlyHint ?? false,
      destructive: tool.annotations?.destructiveHint ?? false,
    },
    route:
      tool._meta?.['warmgate/route'] === 'platform'
        ? gatewayv1.ToolRoute.PLATFORM
        : gatewayv1.ToolRoute.USER,
  });
}

function noChat(): ChatHandle {
  const error = new WarmgateError(
    ErrorCode.UNIMPLEMENTED,
    'MCP has no chat: an MCP client brings its own model',
  );
  return {
    send: () => undefined,
    cancel: () => undefined,
    next: () => Promise.reject(error),
    close: () => undefined,
  };
}
