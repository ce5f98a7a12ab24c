import { describe, expect, it } from 'vitest';
import { emptyContext } from './fake-agent.test-support.js';
import { buildSystemPrompt } from './system-prompt.js';

describe('system prompt', () => {
  it('includes the non-empty context sections under titles', () => {
    const prompt = buildSystemPrompt({
      ...emptyContext,
      profile: 'p',
      indicators: 'rsi',
      systemPrompt: 'be brief',
    });
    expect(prompt).toContain("## User's instructions\nbe brief");
    expect(prompt).toContain('## User profile\np');
    expect(prompt).toContain("## User's indicators\nrsi");
    expect(prompt).not.toContain('Workspace state');
  });

  it('is bounded per section and in total, and says where it cut', () => {
    const huge = 'x'.repeat(50_000);
    const prompt = buildSystemPrompt(
      {
        ...emptyContext,
        profile: huge,
        workspaceState: huge,
        conversationSummary: huge,
        strategies: huge,
      },
      { sectionChars: 1_000, totalChars: 3_000 },
    );
    expect(prompt.length).toBeLessThanOrEqual(3_000);
    expect(prompt).toContain('[... cut to fit the prompt]');
  });
});
