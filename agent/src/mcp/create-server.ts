// One MCP server per session, over the agent's bound workspace. Subscriptions are per
// session: a subscribed client gets notifications/resources/updated when a mutation touched
// that resource (any session's mutation), and list_changed when saved items come or go.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { AuthMode } from '@warmgate/proto';
import { registerResources } from './resources.js';
import { URIS } from './resource-uris.js';
import { registerTools, type ToolContext, type ToolDefinition } from './tool-kit.js';
import { conversationTools } from './tools/conversation-tools.js';
import { indicatorTools } from './tools/indicator-tools.js';
import { profileTools } from './tools/profile-tools.js';
import { strategyTools } from './tools/strategy-tools.js';
import { workspaceTools } from './tools/workspace-tools.js';

export const ALL_TOOLS: readonly ToolDefinition[] = [
  ...workspaceTools,
  ...profileTools,
  ...indicatorTools,
  ...strategyTools,
  ...conversationTools,
];

export const SERVER_INFO = { name: 'warmgate-agent', version: '0.1.0' };
const MAX_SUBSCRIPTIONS = 256;

export interface SessionServer {
  server: McpServer;
  /** Stops listening for workspace changes (call when the session ends). */
  dispose(): void;
}

export function createMcpServer(context: ToolContext): SessionServer {
  const server = new McpServer(SERVER_INFO, {
    capabilities: {
      resources: { subscribe: true, listChanged: true },
      tools: { listChanged: false },
    },
    instructions:
      "Warmgate agent: this user's trading workspace (profile, chart, indicators, strategies, conversation).",
  });
  registerResources(server, context);
  const readOnly = context.serving.binding.mode === AuthMode.PUBLIC;
  registerTools(server, ALL_TOOLS, context, readOnly);

  const subscribed = new Set<string>();
  server.server.setRequestHandler(SubscribeRequestSchema, (request) => {
    if (subscribed.size < MAX_SUBSCRIPTIONS) subscribed.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });
  const onChanged = (uris: string[]) => {
    if (!server.isConnected()) return;
    for (const uri of uris) {
      if (subscribed.has(uri)) server.server.sendResourceUpdated({ uri }).catch(() => {});
    }
    if (uris.includes(URIS.indicators) || uris.includes(URIS.strategies)) {
      server.sendResourceListChanged();
    }
  };
  context.core.changes.on('changed', onChanged);
  return {
    server,
    dispose: () => void context.core.changes.off('changed', onChanged),
  };
}
