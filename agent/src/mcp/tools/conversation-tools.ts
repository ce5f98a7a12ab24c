// Conversation: the gateway saves each finished turn (conversation_append, internal: hidden
// from the LLM), and anyone may read the bounded summary.
import {
  CONVERSATION_APPEND_LIMITS as LIMITS,
  CONVERSATION_APPEND_TOOL,
} from '@warmgate/contract/internal-tools';
import { z } from 'zod';
import { conversationSummary, planAppend, type Turn } from '../../workspace/conversation-log.js';
import { defineTool, mutate } from '../tool-kit.js';

const ISO_TIME = z.iso.datetime({ offset: true });

export const conversationTools = [
  defineTool({
    name: CONVERSATION_APPEND_TOOL,
    title: 'Save finished turn',
    description: 'Saves one finished conversation turn. Used by the gateway, not by the assistant.',
    input: {
      turn_id: z.string().min(1).max(LIMITS.turnId),
      user_text: z.string().max(LIMITS.text),
      answer_text: z.string().max(LIMITS.text),
      tool_calls: z
        .array(z.object({ name: z.string().max(LIMITS.toolName), is_error: z.boolean() }))
        .max(LIMITS.toolCalls),
      started_at: ISO_TIME,
      finished_at: ISO_TIME,
    },
    readOnly: false,
    internal: true,
    async run(args, context) {
      let appended = false;
      const { commit } = await mutate(
        context,
        `Conversation: turn ${args.turn_id}`,
        async (changes) => {
          appended = await planAppend(context.serving.workspace, changes, args as Turn);
        },
      );
      return { turn_id: args.turn_id, appended, commit };
    },
  }),
  defineTool({
    name: 'conversation_summary',
    title: 'Conversation summary',
    description: 'The most recent conversation turns as Markdown (bounded to 8,000 characters).',
    input: { max_turns: z.number().int().min(1).max(50).optional() },
    readOnly: true,
    run: async (args, context) => ({
      markdown: await conversationSummary(context.serving.workspace, args.max_turns ?? 10),
    }),
  }),
];
