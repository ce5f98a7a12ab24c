// The agent's internal tools (marked with INTERNAL_TOOL_META): the gateway calls them, the LLM
// and clients never see them. The agent validates the arguments with these limits (zod), the
// gateway builds them with this type.

/** Saves one finished conversation turn in the user's repository. */
export const CONVERSATION_APPEND_TOOL = 'conversation_append';

export const CONVERSATION_APPEND_LIMITS = {
  /** turn_id length. */
  turnId: 128,
  /** user_text and answer_text length. */
  text: 64 * 1024,
  /** tool_calls entries, and each name's length. */
  toolCalls: 64,
  toolName: 128,
} as const;

export interface ConversationAppendArguments {
  turn_id: string;
  user_text: string;
  answer_text: string;
  tool_calls: { name: string; is_error: boolean }[];
  /** ISO 8601 date-time with offset. */
  started_at: string;
  finished_at: string;
}
