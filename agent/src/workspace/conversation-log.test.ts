import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SUMMARY_MAX_CHARS,
  conversationSummary,
  dayFile,
  recentTurns,
} from './conversation-log.js';
import { Workspace } from './workspace.js';

let dir: string;
let workspace: Workspace;

const turn = (i: number, day: string, text = `answer ${i}`) =>
  JSON.stringify({
    turn_id: `t${i}`,
    user_text: `question ${i} ${'q'.repeat(1000)}`,
    answer_text: text,
    tool_calls: [],
    started_at: `${day}T10:00:00Z`,
    finished_at: `${day}T10:00:${String(i % 60).padStart(2, '0')}Z`,
  });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warmgate-conv-'));
  await mkdir(join(dir, 'conversations'));
  workspace = new Workspace({ dir, userId: 'u', repository: { url: '', ephemeral: true } });
});

afterEach(() => rm(dir, { recursive: true, force: true }));

describe('conversation log', () => {
  it('files turns by the day they finished', () => {
    expect(dayFile('2026-11-24T23:59:59Z')).toBe('conversations/2026-11-24.jsonl');
  });

  it('reads the most recent turns across days, skipping damaged lines', async () => {
    await writeFile(join(dir, 'conversations/2026-11-23.jsonl'), `${turn(1, '2026-11-23')}\n`);
    await writeFile(
      join(dir, 'conversations/2026-11-24.jsonl'),
      `${turn(2, '2026-11-24')}\n{not json\n${turn(3, '2026-11-24')}\n`,
    );
    const turns = await recentTurns(workspace, 3);
    expect(turns.map((t) => t.turn_id)).toEqual(['t1', 't2', 't3']);
    expect((await recentTurns(workspace, 1)).map((t) => t.turn_id)).toEqual(['t3']);
  });

  it('keeps the summary within its bound, newest turns first to stay', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => turn(i, '2026-11-24', 'a'.repeat(3000)));
    await writeFile(join(dir, 'conversations/2026-11-24.jsonl'), `${lines.join('\n')}\n`);
    const summary = await conversationSummary(workspace, 50);
    expect(summary.length).toBeLessThanOrEqual(SUMMARY_MAX_CHARS);
    expect(summary).toContain('10:00:49');
    expect(summary).not.toContain('10:00:00Z');
  });

  it('says so when there is nothing yet', async () => {
    expect(await conversationSummary(workspace)).toContain('(no turns yet)');
  });
});
