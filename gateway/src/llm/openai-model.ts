// The Model port over the `openai` client: any OpenAI-compatible chat completions endpoint.
// Streams text deltas as they arrive; tool calls arrive in pieces (by index) and are assembled
// here, then yielded whole once the stream has finished.
import OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import type {
  Model,
  ModelEvent,
  ModelMessage,
  ModelTool,
  ModelToolCall,
} from '../core/turn/index.js';
import { fromOpenAiError, malformedStream } from './openai-errors.js';

export interface OpenAiModelOptions {
  /** An OpenAI-compatible endpoint, e.g. https://api.openai.com/v1. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly model: string;
  /** Per request (the client also bounds connect and idle time with it). */
  readonly timeoutMs: number;
  /** Retries of a request that failed before streaming began (connection, 429, 5xx). */
  readonly maxRetries?: number;
  /** `max_tokens` of every request: one answer's cost is bounded (default 4096). */
  readonly maxTokens?: number;
}

export function createOpenAiModel(options: OpenAiModelOptions): Model {
  const client = new OpenAI({
    baseURL: options.baseUrl,
    apiKey: options.apiKey,
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries ?? 1,
    // Failures are mapped and reported once (openai-errors.ts); the client must not log them.
    logLevel: 'off',
  });

  return {
    name: options.model,
    async *stream(request) {
      const { signal } = request;
      try {
        const stream = await client.chat.completions.create(
          {
            model: options.model,
            messages: request.messages.map(toOpenAiMessage),
            ...(request.tools.length > 0 ? { tools: request.tools.map(toOpenAiTool) } : {}),
            max_tokens: options.maxTokens ?? 4096,
            stream: true,
            stream_options: { include_usage: true },
          },
          { signal },
        );
        const calls = new ToolCallAssembler();
        let finished = false;
        for await (const chunk of stream) {
          for (const event of readChunk(chunk, calls)) yield event;
          if (chunk.choices.some((choice) => choice.finish_reason)) finished = true;
        }
        // The client ends the iteration quietly when aborted: a cut stream is not an answer.
        signal.throwIfAborted();
        if (!finished) throw malformedStream('it ended without a finish reason');
        for (const call of calls.finish()) yield { type: 'tool_call', call };
      } catch (error) {
        throw fromOpenAiError(error, signal);
      }
    },
  };
}

function* readChunk(chunk: ChatCompletionChunk, calls: ToolCallAssembler): Generator<ModelEvent> {
  if (chunk.usage) {
    yield {
      type: 'usage',
      promptTokens: chunk.usage.prompt_tokens,
      completionTokens: chunk.usage.completion_tokens,
    };
  }
  for (const choice of chunk.choices ?? []) {
    // The loop asks for one completion; other choices (n > 1 servers) are ignored.
    if (choice.index !== 0) continue;
    const delta = choice.delta;
    if (delta?.content) yield { type: 'text', text: delta.content };
    for (const piece of delta?.tool_calls ?? []) calls.add(piece);
  }
}

/** Assembles streamed tool-call pieces: the first piece of an index has id and name. */
class ToolCallAssembler {
  private readonly byIndex = new Map<number, { id: string; name: string; arguments: string }>();

  add(piece: ChatCompletionChunk.Choice.Delta.ToolCall): void {
    const current = this.byIndex.get(piece.index) ?? { id: '', name: '', arguments: '' };
    if (piece.id) current.id = piece.id;
    if (piece.function?.name) current.name += piece.function.name;
    if (piece.function?.arguments) current.arguments += piece.function.arguments;
    this.byIndex.set(piece.index, current);
  }

  finish(): ModelToolCall[] {
    const ordered = [...this.byIndex.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
    for (const call of ordered) {
      if (!call.id || !call.name) throw malformedStream('a tool call without an id or a name');
    }
    return ordered;
  }
}

function toOpenAiMessage(message: ModelMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content || null,
        ...(message.toolCalls.length > 0
          ? {
              tool_calls: message.toolCalls.map((call) => ({
                id: call.id,
                type: 'function' as const,
                function: { name: call.name, arguments: call.arguments || '{}' },
              })),
            }
          : {}),
      };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}

function toOpenAiTool(tool: ModelTool): ChatCompletionTool {
  return {
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  };
}
