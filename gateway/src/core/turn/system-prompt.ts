// Builds the system prompt from the agent's context. Every section is bounded: the context
// comes from the user's own workspace, which can grow without limit, and a prompt past the
// model's window fails the whole turn instead of just losing the tail of a long profile.
import type { AgentContext } from '../ports.js';

export interface SystemPromptLimits {
  /** Characters kept per section (longer sections are cut and marked as cut). */
  readonly sectionChars: number;
  /** Characters of the whole prompt. */
  readonly totalChars: number;
}

export const defaultSystemPromptLimits: SystemPromptLimits = {
  sectionChars: 4_000,
  totalChars: 16_000,
};

const basePrompt = [
  'You are Warmgate, a trading assistant. You help one user with market data, charts,',
  'indicators and strategies kept in their workspace. Use the tools to look things up rather',
  'than guessing; say plainly when data is sample data. Be concise.',
].join(' ');

const sections: { key: keyof AgentContext; title: string }[] = [
  { key: 'profile', title: 'User profile' },
  { key: 'workspaceState', title: 'Workspace state' },
  { key: 'conversationSummary', title: 'Conversation so far (summary)' },
  { key: 'indicators', title: "User's indicators" },
  { key: 'strategies', title: "User's strategies" },
];

export function buildSystemPrompt(
  context: AgentContext,
  limits: SystemPromptLimits = defaultSystemPromptLimits,
): string {
  const parts = [basePrompt];
  const custom = context.systemPrompt.trim();
  if (custom) parts.push(`## User's instructions\n${cut(custom, limits.sectionChars)}`);
  for (const { key, title } of sections) {
    const value = context[key].trim();
    if (value) parts.push(`## ${title}\n${cut(value, limits.sectionChars)}`);
  }
  return cut(parts.join('\n\n'), limits.totalChars);
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = '\n[... cut to fit the prompt]';
  return text.slice(0, Math.max(0, max - marker.length)) + marker;
}
