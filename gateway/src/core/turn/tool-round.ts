// One round of tool calls: the model asked for one or more tools; they run concurrently, each
// under the catalog's tool timeout, and every call is reported to the client as it starts and finishes.
// A tool that fails (bad arguments, unknown name, timeout, error in the tool) becomes an
// is_error result the model can read and recover from; only cancellation of the turn stops it.
import { WarmgateError, codeName, type gatewayv1 } from '@warmgate/proto';
import type { AgentHandle, JsonObject, Principal } from '../ports.js';
import { parseToolArguments, type ExposedTool, type ToolCatalog } from '../tools/index.js';
import { chatEvents, errorResult } from './events.js';
import type { ModelToolCall } from './model.js';

/** Characters of one tool result fed back to the model. */
const maxResultChars = 16_000;

export interface ToolRoundContext {
  readonly turnId: string;
  readonly principal: Principal;
  readonly agent: AgentHandle;
  readonly catalog: ToolCatalog;
  readonly tools: ReadonlyMap<string, ExposedTool>;
  readonly signal: AbortSignal;
  readonly emit: (event: gatewayv1.ChatResponse) => void;
  readonly now: () => number;
}

export interface ToolOutcome {
  readonly call: ModelToolCall;
  readonly result: gatewayv1.CallToolResponse;
  /** The result as text for the model's next round. */
  readonly text: string;
}

export function runToolRound(
  context: ToolRoundContext,
  calls: readonly ModelToolCall[],
): Promise<ToolOutcome[]> {
  return Promise.all(calls.map((call) => runOne(context, call)));
}

async function runOne(context: ToolRoundContext, call: ModelToolCall): Promise<ToolOutcome> {
  const { turnId, emit } = context;
  const tool = context.tools.get(call.name);
  let args: JsonObject = {};
  let failure: string | undefined;
  try {
    args = parseToolArguments(call.arguments);
  } catch (error) {
    failure = WarmgateError.from(error).message;
  }
  if (!tool) failure = `no tool named "${call.name}"`;
  emit(chatEvents.toolStarted(turnId, call.id, call.name, args, tool?.descriptor.route));
  const started = context.now();
  let result: gatewayv1.CallToolResponse;
  if (failure !== undefined || !tool) {
    result = errorResult(failure ?? 'tool call refused');
  } else {
    result = await invoke(context, tool, args);
  }
  emit(chatEvents.toolFinished(turnId, call.id, call.name, result, context.now() - started));
  return { call, result, text: resultText(result) };
}

async function invoke(
  context: ToolRoundContext,
  tool: ExposedTool,
  args: JsonObject,
): Promise<gatewayv1.CallToolResponse> {
  try {
    return await context.catalog.invoke(context.agent, tool, args, { signal: context.signal });
  } catch (error) {
    if (context.signal.aborted) throw WarmgateError.from(context.signal.reason);
    const normalised = WarmgateError.from(error);
    return errorResult(`${codeName(normalised.code)}: ${normalised.message}`);
  }
}

function resultText(result: gatewayv1.CallToolResponse): string {
  const parts: string[] = [];
  for (const content of result.content) {
    if (content.kind.case === 'text') parts.push(content.kind.value);
    else if (content.kind.case === 'resource') {
      const body = content.kind.value.body;
      parts.push(body.case === 'text' ? body.value : `[resource ${content.kind.value.uri}]`);
    } else if (content.kind.case === 'image') parts.push('[image]');
  }
  if (parts.length === 0 && result.structuredContent) {
    parts.push(JSON.stringify(result.structuredContent));
  }
  let text = parts.join('\n');
  if (result.isError) text = `Error: ${text}`;
  if (text.length > maxResultChars) text = `${text.slice(0, maxResultChars)}\n[... result cut]`;
  return text;
}
