import { describe, expect, it } from 'vitest';
import { urisForPaths } from './resource-uris.js';

describe('changed paths → resource URIs', () => {
  it('covers every part of the layout', () => {
    expect(urisForPaths(['profile.json'])).toEqual(['context://user-profile']);
    expect(urisForPaths(['system-prompt.md'])).toEqual(['context://system-prompt']);
    expect(urisForPaths(['workspace.json'])).toEqual(['context://workspace-state']);
    expect(urisForPaths(['conversations/2026-11-24.jsonl'])).toEqual([
      'context://conversation-summary',
    ]);
    expect(urisForPaths(['indicators/rsi-smooth.json'])).toEqual([
      'indicators://list',
      'indicators://rsi-smooth',
    ]);
    expect(urisForPaths(['strategies/cross.json', 'strategies/other.json'])).toEqual([
      'strategies://list',
      'strategies://cross',
      'strategies://other',
    ]);
    expect(urisForPaths(['README.md'])).toEqual([]);
  });
});
