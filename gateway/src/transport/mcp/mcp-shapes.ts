// The Gateway API's shapes → MCP's (gatewayv1 mirrors MCP, so this is mostly renaming), and
// the resources the gateway offers: the agent's six context resources and its two item
// templates. They are fixed by the agent contract, so resources/list needs no agent round trip.
import { gatewayv1 } from '@warmgate/proto';
import { contextResources } from '../../upstream/index.js';

export function toMcpTool(tool: gatewayv1.Tool) {
  const hints = tool.annotations;
  return {
    name: tool.name,
    ...(hints?.title ? { title: hints.title } : {}),
    description: tool.description,
    inputSchema: { type: 'object', ...(tool.inputSchema ?? {}) },
    annotations: {
      ...(hints?.title ? { title: hints.title } : {}),
      readOnlyHint: hints?.readOnly ?? false,
      destructiveHint: hints?.destructive ?? false,
      idempotentHint: hints?.idempotent ?? false,
    },
    _meta: {
      'warmgate/route': tool.route === gatewayv1.ToolRoute.PLATFORM ? 'platform' : 'user',
    },
  };
}

export function toMcpCallResult(result: gatewayv1.CallToolResponse) {
  return {
    content: result.content.map(toMcpContent),
    ...(result.structuredContent ? { structuredContent: result.structuredContent } : {}),
    isError: result.isError,
  };
}

function toMcpContent(content: gatewayv1.Content) {
  switch (content.kind.case) {
    case 'text':
      return { type: 'text' as const, text: content.kind.value };
    case 'image':
      return {
        type: 'image' as const,
        data: Buffer.from(content.kind.value.data).toString('base64'),
        mimeType: content.kind.value.mimeType,
      };
    case 'resource':
      return { type: 'resource' as const, resource: toMcpResourceContents(content.kind.value) };
    default:
      return { type: 'text' as const, text: '' };
  }
}

export function toMcpResourceContents(contents: gatewayv1.ResourceContents) {
  const base = { uri: contents.uri, ...(contents.mimeType ? { mimeType: contents.mimeType } : {}) };
  return contents.body.case === 'blob'
    ? { ...base, blob: Buffer.from(contents.body.value).toString('base64') }
    : { ...base, text: contents.body.value ?? '' };
}

export function toMcpReadResult(result: gatewayv1.ReadResourceResponse) {
  return { contents: result.contents.map(toMcpResourceContents) };
}

const json = 'application/json';
const markdown = 'text/markdown';

export const mcpResources = [
  {
    uri: contextResources.profile,
    name: 'user-profile',
    description: 'Preferences and trading style.',
    mimeType: json,
  },
  {
    uri: contextResources.conversationSummary,
    name: 'conversation-summary',
    description: 'The most recent conversation turns.',
    mimeType: markdown,
  },
  {
    uri: contextResources.workspaceState,
    name: 'workspace-state',
    description: 'Chart symbol, timeframe, indicators on the chart, open analysis.',
    mimeType: json,
  },
  {
    uri: contextResources.systemPrompt,
    name: 'system-prompt',
    description: "The user's own instructions for the assistant.",
    mimeType: markdown,
  },
  {
    uri: contextResources.indicators,
    name: 'indicators',
    description: 'Built-in indicators with their parameters and outputs, and the saved ones.',
    mimeType: json,
  },
  {
    uri: contextResources.strategies,
    name: 'strategies',
    description: "The user's saved strategies.",
    mimeType: json,
  },
] as const;

export const mcpResourceTemplates = [
  {
    uriTemplate: 'indicators://{name}',
    name: 'indicator',
    description: 'A saved indicator, or a built-in one, by name.',
    mimeType: json,
  },
  {
    uriTemplate: 'strategies://{name}',
    name: 'strategy',
    description: 'A saved strategy by name.',
    mimeType: json,
  },
] as const;
