// How user tools are declared and registered: one definition per tool (schema, annotations,
// handler); registration wraps each in in-flight tracking and the one error mapping, and in
// public mode leaves every mutating tool out (neither listed nor callable).
import { AsyncLocalStorage } from 'node:async_hooks';
import { COMMIT_MESSAGE_META, INTERNAL_TOOL_META } from '@warmgate/contract/meta-keys';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type {
  CallToolResult,
  ServerNotification,
  ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { errors } from '@warmgate/proto';
import { z } from 'zod';
import type { AgentCore, Serving } from '../server/agent-core.js';
import type { Changes, MutationResult } from '../workspace/workspace.js';
import { inSpan } from '../telemetry/spans.js';
import { toToolError } from './errors.js';
import { urisForPaths } from './resource-uris.js';
import { callNameOf } from './call-registry.js';

/** The commit messages of the mutations one tool call made (for the data plane's commit). */
const callMessages = new AsyncLocalStorage<string[]>();

export interface ToolContext {
  readonly core: AgentCore;
  readonly serving: Serving;
  /** The tool call being served (absent outside a tools/call). */
  readonly call?: ToolCall;
}

export interface ToolCall {
  /** Aborts when the caller cancels (notifications/cancelled, here or via another session). */
  readonly signal: AbortSignal;
  /** notifications/progress to the caller, when it asked with a progressToken. */
  progress(progress: number, total: number, message: string): void;
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

/**
 * One z.object per tool for the whole process: the SDK wraps a raw shape in a new z.object at
 * every registerTool, i.e. for every MCP session, and zod compiles each new object schema's
 * parser again on its first use — the first call of every tool of every new user paid for
 * it. Shared schemas are compiled once.
 */
const objectSchemas = new WeakMap<z.ZodRawShape, z.ZodObject>();

function inputSchemaOf(tool: ToolDefinition): z.ZodObject {
  let schema = objectSchemas.get(tool.input);
  if (!schema) {
    schema = z.object(tool.input);
    objectSchemas.set(tool.input, schema);
  }
  return schema;
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
        inputSchema: inputSchemaOf(tool),
        annotations: {
          title: tool.title,
          readOnlyHint: tool.readOnly,
          destructiveHint: tool.readOnly ? false : (tool.destructive ?? false),
          openWorldHint: false,
        },
        ...(tool.internal ? { _meta: { [INTERNAL_TOOL_META]: true } } : {}),
      },
      (async (args: unknown, extra: ToolExtra): Promise<CallToolResult> => {
        const named = context.core.calls.start(callNameOf(extra._meta));
        const signal = named.signal ? AbortSignal.any([extra.signal, named.signal]) : extra.signal;
        const call: ToolCall = { signal, progress: progressSender(extra) };
        try {
          const messages: string[] = [];
          const result = await callMessages.run(messages, () =>
            inSpan(`tool ${tool.name}`, { 'warmgate.tool': tool.name }, () =>
              // A cancelled call answers at once; its work (counted by track) finishes or stops
              // at its next check of the signal (mutate checks before committing).
              untilAborted(
                context.core.track(() =>
                  tool.run(args as z.infer<z.ZodObject<z.ZodRawShape>>, { ...context, call }),
                ),
                signal,
              ),
            ),
          );
          if (context.serving.workspace.commits) return toToolResult(result);
          // Behind the data plane the sidecar commits: no commit id here (it adds its own in
          // _meta["warmgate/commit"]), and the message this agent would have used.
          const { commit: _unknown, ...rest } = (result ?? {}) as Record<string, unknown>;
          return {
            ...toToolResult(isPlainObject(result) ? rest : result),
            ...(messages.length > 0
              ? { _meta: { [COMMIT_MESSAGE_META]: messages.join('; ') } }
              : {}),
          };
        } catch (error) {
          return toToolError(error);
        } finally {
          named.done();
        }
      }) as never,
    );
  }
}

type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

function progressSender(extra: ToolExtra): ToolCall['progress'] {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return () => {};
  return (progress, total, message) =>
    void extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken, progress, total, message },
      })
      .catch(() => {});
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(errors.cancelled('the call was cancelled'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(errors.cancelled('the call was cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const isPlainObject = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

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
  callMessages.getStore()?.push(message);
  const call = context.call;
  const unlessCancelled = (changes: Changes) => {
    // Checked again once the change's turn has come: a call cancelled while it waited
    // behind other writes commits nothing.
    if (call?.signal.aborted) throw errors.cancelled('cancelled before the change was committed');
    return plan(changes);
  };
  if (call?.signal.aborted) throw errors.cancelled('cancelled before the change was committed');
  call?.progress(1, 2, 'committing and pushing the change');
  const result = await inSpan('workspace write', {}, () =>
    context.serving.workspace.mutate(message, unlessCancelled),
  );
  call?.progress(2, 2, 'committed and pushed');
  context.core.emitChanged(urisForPaths(result.changed));
  return result;
}
