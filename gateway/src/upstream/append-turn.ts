// How a finished turn is saved: the agent's internal conversation_append tool (hidden from
// the LLM and from clients by `_meta: { "warmgate/internal": true }`).
import { CONVERSATION_APPEND_TOOL, type ConversationAppendArguments } from '@warmgate/contract';
import type { FinishedTurn, JsonObject } from '../core/ports.js';

export const appendTurnTool = CONVERSATION_APPEND_TOOL;

export function appendTurnArguments(turn: FinishedTurn): JsonObject {
  const args: ConversationAppendArguments = {
    turn_id: turn.turnId,
    user_text: turn.userText,
    answer_text: turn.answerText,
    tool_calls: turn.toolCalls.map((call) => ({ name: call.name, is_error: call.isError })),
    started_at: turn.startedAt.toISOString(),
    finished_at: turn.finishedAt.toISOString(),
  };
  return { ...args };
}
