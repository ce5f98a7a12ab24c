// The agent's context resources: the six URIs the agent serves and the gateway reads (and
// subscribes to) before each turn, plus the per-item URIs of indicators and strategies.
export const CONTEXT_URIS = {
  profile: 'context://user-profile',
  conversationSummary: 'context://conversation-summary',
  workspaceState: 'context://workspace-state',
  systemPrompt: 'context://system-prompt',
  indicators: 'indicators://list',
  strategies: 'strategies://list',
} as const;

export type ContextResource = keyof typeof CONTEXT_URIS;

export const indicatorUri = (name: string) => `indicators://${name}`;
export const strategyUri = (name: string) => `strategies://${name}`;
