// How user tools are declared and registered: one definition per tool (schema, annotations,
// handler); registration wraps each in in-flight tracking and the one error mapping, and in
// public mode leaves every mutating tool out (neither listed nor callable).
import { INTERNAL_TOOL_META } from '@warmgate/contract/meta-keys';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { AgentCore, Serving } from '../server/agent-core.js';
import type { Changes, MutationResult } from '../workspace/workspace.js';
import { inSpan } from '../telemetry/spans.js';
import { toToolError } from './errors.js';
import { urisForPaths } from './resource-uris.js';

export interface ToolContext {
  readonly core: AgentCore;
  readonly serving: Serving;
}

export interface ToolDefinition<Shape extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: Shape;
  /** Read-only tools are marked readOnlyHint and are the only ones in public mode. */
  readOnly: boolean;
  destructive?: boolean;
  /** Hidden from the LLM by the gateway (`_meta["warmgate/internal"]`). */
  internal?: boolean;
  run(args: z.infer<z.ZodObject<Shape>>, context: ToolContext): Promise<unknown>;
}

export function defineTool<Shape extends z.ZodRawShape>(
  definition: ToolDefinition<Shape>,
): ToolDefinition {
  return definition as unknown as ToolDefinition;
}

export function registerTools(
  server: McpServer,
  tools: readonly ToolDefinition[],
  context: ToolContext,
  readOnlyOnly: boolean,
): void {
  for (const tool of tools) {
    if (readOnlyOnly && !tool.readOnly) continue;
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        annotations: {
          title: tool.title,
          readOnlyHint: tool.readOnly,
          destructiveHint: tool.readOnly ? false : (tool.destructive ?? false),
          openWorldHint: false,
        },
        ...(tool.internal ? { _meta: { [INTERNAL_TOOL_META]: true } } : {}),
      },
      (async (args: unknown): Promise<CallToolResult> => {
        try {
          const result = await inSpan(`tool ${tool.name}`, { 'warmgate.tool': tool.name }, () =>
            context.core.track(() =>
              tool.run(args as z.infer<z.ZodObject<z.ZodRawShape>>, context),
            ),
          );
          return toToolResult(result);
        } catch (error) {
          return toToolError(error);
        }
      }) as never,
    );
  }
}

function toToolResult(result: unknown): CallToolResult {
  const isObject = typeof result === 'object' && result !== null && !Array.isArray(result);
  return {
    content: [{ type: 'text', text: JSON.stringify(result, null, 2) }],
    ...(isObject ? { structuredContent: result as Record<string, unknown> } : {}),
  };
}

/** Commits and pushes a change, then tells subscribers which resources it touched. */
export async function mutate(
  context: ToolContext,
  message: string,
  plan: (changes: Changes) => Promise<void> | void,
): Promise<MutationResult> {
  const result = await inSpan('git commit+push', {}, () =>
    context.serving.workspace.mutate(message, plan),
  );
  context.core.emitChanged(urisForPaths(result.changed));
  return result;
}
