// MCP methods over the session core: one function per method, each taking the request's
// params and answering the method's result, or throwing a WarmgateError the edge maps
// (mcp-error-mapping.ts). `initialize` and `server/discover` are not here: they shape the
// session itself (mcp-http.ts).
import { create, type JsonObject } from '@bufbuild/protobuf';
import { errors, gatewayv1, WarmgateError } from '@warmgate/proto';
import type { Principal } from '../../core/ports.js';
import type { SessionCore, ToolCallExtra } from '../../core/session/session-core.js';
import { isProtocolFault, toolErrorResult } from './mcp-error-mapping.js';
import {
  mcpResources,
  mcpResourceTemplates,
  toMcpCallResult,
  toMcpReadResult,
  toMcpTool,
} from './mcp-shapes.js';

export type Params = Record<string, unknown>;
export type Method = (
  principal: Principal,
  params: Params,
  signal: AbortSignal,
  extra: ToolCallExtra,
) => Promise<object>;

/** Methods of the handshake-era revisions only (2026-07-28 has subscriptions/listen instead). */
export const sessionOnlyMethods = new Set(['resources/subscribe', 'resources/unsubscribe']);

export const serverInstructions =
  "Warmgate: the user's own agent. Tools prefixed market_/time_ run on the platform; the others in the user's workspace.";

/** What the gateway declares at initialize / server/discover. */
export const serverCapabilities = {
  tools: { listChanged: false },
  resources: { subscribe: true, listChanged: false },
  prompts: { listChanged: false },
  completions: {},
  logging: {},
};

export function createMcpMethods(core: SessionCore): ReadonlyMap<string, Method> {
  return new Map<string, Method>([
    ['ping', async () => ({})],
    [
      'tools/list',
      async (principal, _params, signal) => {
        const { tools } = await core.listTools(principal, signal);
        return { tools: tools.map(toMcpTool) };
      },
    ],
    [
      'tools/call',
      async (principal, params, signal, extra) => {
        const name = stringParam(params, 'name');
        const args = params.arguments ?? {};
        if (typeof args !== 'object' || args === null || Array.isArray(args)) {
          throw errors.invalidArgument('params.arguments must be an object');
        }
        const request = create(gatewayv1.CallToolRequestSchema, {
          name,
          arguments: args as JsonObject,
        });
        try {
          return toMcpCallResult(await core.callTool(principal, request, signal, extra));
        } catch (error) {
          const failure = WarmgateError.from(error);
          if (isProtocolFault(failure.code)) throw failure;
          return toolErrorResult(failure);
        }
      },
    ],
    ['resources/list', async () => ({ resources: mcpResources })],
    ['resources/templates/list', async () => ({ resourceTemplates: mcpResourceTemplates })],
    [
      'resources/read',
      async (principal, params, signal) => {
        const uri = stringParam(params, 'uri');
        const request = create(gatewayv1.ReadResourceRequestSchema, { uri });
        return toMcpReadResult(await core.readResource(principal, request, signal));
      },
    ],
    // Held by the user's agent for this MCP session (the subscriber), so the replica holding
    // the session's GET stream delivers the updates, whichever replica took the subscribe.
    [
      'resources/subscribe',
      async (principal, params, signal) => {
        await core.subscribe(principal, stringParam(params, 'uri'), principal.sessionId, signal);
        return {};
      },
    ],
    [
      'resources/unsubscribe',
      async (principal, params, signal) => {
        await core.unsubscribe(principal, stringParam(params, 'uri'), principal.sessionId, signal);
        return {};
      },
    ],
    // Declared so generic clients find them: Warmgate has no prompts, completes nothing and
    // sends no log messages, so these answer empty.
    ['prompts/list', async () => ({ prompts: [] })],
    [
      'prompts/get',
      async (_principal, params) => {
        throw errors.notFound(`no prompt named "${stringParam(params, 'name')}"`);
      },
    ],
    ['completion/complete', async () => ({ completion: { values: [], hasMore: false } })],
    [
      'logging/setLevel',
      async (_principal, params) => {
        stringParam(params, 'level');
        return {};
      },
    ],
  ]);
}

function stringParam(params: Params, key: string): string {
  const value = params[key];
  if (typeof value !== 'string') throw errors.invalidArgument(`params.${key} must be a string`);
  return value;
}
