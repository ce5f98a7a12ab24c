// The Model port: what the LLM loop needs from a language model, and nothing more. Adapters
// (gateway/src/llm: the openai client, the offline model) implement it; the loop stays free of
// any client library, so it is tested with a fake model and no sockets.

/** A tool as the model sees it: name, description and JSON Schema of the arguments. */
export interface ModelTool {
  readonly name: string;
  readonly description: string;
  readonly parameters: { [key: string]: unknown };
}

/** A tool call the model asked for; `arguments` is the raw JSON text the model produced. */
export interface ModelToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

export type ModelMessage =
  | { readonly role: 'system'; readonly content: string }
  | { readonly role: 'user'; readonly content: string }
  | {
      readonly role: 'assistant';
      readonly content: string;
      readonly toolCalls: readonly ModelToolCall[];
    }
  | { readonly role: 'tool'; readonly toolCallId: string; readonly content: string };

export interface ModelRequest {
  readonly messages: readonly ModelMessage[];
  readonly tools: readonly ModelTool[];
  /** Aborting stops the stream; the iterator then ends or throws CANCELLED. */
  readonly signal: AbortSignal;
}

/**
 * One event of a streamed completion. Text arrives as it is generated; tool calls arrive
 * complete (adapters assemble them from deltas), at most once per id, in the order the model
 * listed them.
 */
export type ModelEvent =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'tool_call'; readonly call: ModelToolCall }
  | { readonly type: 'usage'; readonly promptTokens: number; readonly completionTokens: number };

export interface Model {
  /** Shown to clients in TurnStarted ("offline" for the offline model). */
  readonly name: string;
  /**
   * Streams one completion. Failures are thrown as WarmgateError with a precise code
   * (the adapter maps provider errors once, in its own error-mapping file).
   */
  stream(request: ModelRequest): AsyncIterable<ModelEvent>;
}
