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
import { subscriberOf } from './subscribers.js';
import { CancelNotificationSchema } from './call-registry.js';
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
  shareToolListing(server, readOnly);

  // This session's own subscriptions, and those it holds for a gateway client (subscribers.ts).
  const subscribed = new Set<string>();
  const registry = context.core.subscribers;
  server.server.setRequestHandler(SubscribeRequestSchema, (request) => {
    const subscriber = subscriberOf(request.params._meta);
    if (subscriber) registry.add(subscriber, request.params.uri);
    else if (subscribed.size < MAX_SUBSCRIPTIONS) subscribed.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    const subscriber = subscriberOf(request.params._meta);
    if (subscriber) registry.remove(subscriber, request.params.uri);
    else subscribed.delete(request.params.uri);
    return {};
  });
  const deliversFor = () =>
    subscriberOf(
      server.server.getClientCapabilities()?.experimental as Record<string, unknown> | undefined,
    );
  const onChanged = (uris: string[]) => {
    if (!server.isConnected()) return;
    const subscriber = deliversFor();
    for (const uri of uris) {
      if (subscribed.has(uri) || (subscriber !== undefined && registry.has(subscriber, uri))) {
        server.server.sendResourceUpdated({ uri }).catch(() => {});
      }
    }
    if (uris.includes(URIS.indicators) || uris.includes(URIS.strategies)) {
      server.sendResourceListChanged();
    }
  };
  context.core.changes.on('changed', onChanged);
  server.server.setNotificationHandler(CancelNotificationSchema, (notification) => {
    const { call, reason } = notification.params;
    context.core.calls.cancel(call, reason ?? 'cancelled by the client');
  });
  return {
    server,
    dispose: () => void context.core.changes.off('changed', onChanged),
  };
}

type RequestHandler = (request: unknown, extra: unknown) => Promise<unknown>;

/** tools/list answers of this process, by public mode (the same for every session). */
const listings = new Map<boolean, Promise<unknown>>();

/**
 * tools/list is answered once per process and mode: the SDK converts every tool's zod schema
 * to JSON Schema at each tools/list, ~25–30 ms of CPU for this agent's tools — as much as the
 * rest of a new user's set-up. The listing depends on nothing but the tool definitions and
 * the mode. (The SDK offers no hook for it: its handler is wrapped through the protocol's
 * handler map; without that map, each session answers as the SDK does.)
 */
function shareToolListing(server: McpServer, readOnly: boolean): void {
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, RequestHandler> })
    ._requestHandlers;
  const computed = handlers?.get('tools/list');
  if (!handlers || !computed) return;
  handlers.set('tools/list', (request, extra) => {
    let listing = listings.get(readOnly);
    if (!listing) {
      listing = computed(request, extra);
      listings.set(readOnly, listing);
      listing.catch(() => listings.delete(readOnly));
    }
    return listing;
  });
}

/**
 * Computes the listing of signed-in users (gateway and direct modes) ahead of any session: a
 * warm agent does it before its claim, so a new user's first tools/list costs nothing (cold,
 * it took 30–160 ms here). The public listing is computed by its first session.
 */
export async function prepareToolListings(core: ToolContext['core']): Promise<void> {
  for (const mode of [AuthMode.GATEWAY]) {
    // The handlers never run: the session only answers tools/list.
    const serving = { binding: { mode } } as unknown as ToolContext['serving'];
    const session = createMcpServer({ core, serving });
    const handler = (
      session.server.server as unknown as { _requestHandlers?: Map<string, RequestHandler> }
    )._requestHandlers?.get('tools/list');
    await handler?.({ method: 'tools/list', params: {} }, {}).catch(() => undefined);
    session.dispose();
  }
}
