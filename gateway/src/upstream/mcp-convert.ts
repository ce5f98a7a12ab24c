// MCP shapes → the Gateway API's shapes (gatewayv1 mirrors MCP, so this is mostly renaming).
import { create, type JsonObject as ProtoJsonObject } from '@bufbuild/protobuf';
import type { CallToolResult, ReadResourceResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { INTERNAL_TOOL_META } from '@warmgate/contract';
import { gatewayv1 } from '@warmgate/proto';
import type { ToolDescriptor } from '../core/ports.js';

/** `_meta` key the agent sets on tools the LLM and clients must not see. */
export const internalMetaKey = INTERNAL_TOOL_META;

export function isInternalTool(tool: Tool): boolean {
  return tool._meta?.[internalMetaKey] === true;
}

export function toToolDescriptor(tool: Tool): ToolDescriptor {
  const hints = tool.annotations ?? {};
  return {
    name: tool.name,
    description: tool.description ?? '',
    inputSchema: tool.inputSchema as ToolDescriptor['inputSchema'],
    // MCP's defaults: not read-only, destructive, not idempotent, unless the agent says so.
    annotations: {
      title: hints.title ?? tool.title,
      readOnly: hints.readOnlyHint ?? false,
      destructive: hints.destructiveHint ?? !(hints.readOnlyHint ?? false),
      idempotent: hints.idempotentHint ?? false,
    },
    route: 'user',
  };
}

type McpContent = CallToolResult['content'][number];

export function toCallToolResponse(result: CallToolResult): gatewayv1.CallToolResponse {
  return create(gatewayv1.CallToolResponseSchema, {
    content: (result.content ?? []).map(toContent),
    structuredContent: result.structuredContent as ProtoJsonObject | undefined,
    isError: result.isError ?? false,
  });
}

function toContent(content: McpContent): gatewayv1.Content {
  switch (content.type) {
    case 'text':
      return create(gatewayv1.ContentSchema, { kind: { case: 'text', value: content.text } });
    case 'image':
      return create(gatewayv1.ContentSchema, {
        kind: {
          case: 'image',
          value: { data: Buffer.from(content.data, 'base64'), mimeType: content.mimeType },
        },
      });
    case 'resource':
      return create(gatewayv1.ContentSchema, {
        kind: { case: 'resource', value: toResourceContents(content.resource) },
      });
    case 'resource_link':
      return create(gatewayv1.ContentSchema, {
        kind: { case: 'text', value: `[resource ${content.uri}]` },
      });
    default:
      // Audio and future kinds: say what was left out rather than drop it silently.
      return create(gatewayv1.ContentSchema, {
        kind: { case: 'text', value: `[${(content as { type: string }).type} content omitted]` },
      });
  }
}

type McpResourceContents = ReadResourceResult['contents'][number];

function toResourceContents(contents: McpResourceContents): gatewayv1.ResourceContents {
  return create(gatewayv1.ResourceContentsSchema, {
    uri: contents.uri,
    mimeType: contents.mimeType ?? '',
    body:
      'text' in contents && typeof contents.text === 'string'
        ? { case: 'text', value: contents.text }
        : {
            case: 'blob',
            value: Buffer.from(String((contents as { blob?: string }).blob ?? ''), 'base64'),
          },
  });
}

export function toReadResourceResponse(result: ReadResourceResult): gatewayv1.ReadResourceResponse {
  return create(gatewayv1.ReadResourceResponseSchema, {
    contents: result.contents.map(toResourceContents),
  });
}

/** The text of a resource (all text parts joined), for the LLM context. */
export function resourceText(result: ReadResourceResult): string {
  return result.contents
    .flatMap((c) => ('text' in c && typeof c.text === 'string' ? [c.text] : []))
    .join('\n');
}
