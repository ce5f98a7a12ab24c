// Finished conversation turns: conversations/<yyyy-mm-dd>.jsonl, one JSON object per line
// (appending a line diffs and merges well in git). The summary behind
// context://conversation-summary is the most recent turns, each clipped, the whole bounded.
import { CONVERSATIONS_DIR } from './layout.js';
import type { Changes, Workspace } from './workspace.js';

export interface Turn {
  turn_id: string;
  user_text: string;
  answer_text: string;
  tool_calls: { name: string; is_error: boolean }[];
  started_at: string;
  finished_at: string;
}

export const SUMMARY_MAX_CHARS = 8000;
const CLIP_CHARS = 400;
const DAY_FILE = /^\d{4}-\d{2}-\d{2}\.jsonl$/;

export function dayFile(finishedAt: string): string {
  const date = new Date(finishedAt);
  const day = Number.isNaN(date.getTime()) ? new Date() : date;
  return `${CONVERSATIONS_DIR}/${day.toISOString().slice(0, 10)}.jsonl`;
}

/** Plans the append; false when this turn id is already in the log (a retried save). */
export async function planAppend(
  workspace: Workspace,
  changes: Changes,
  turn: Turn,
): Promise<boolean> {
  const path = dayFile(turn.finished_at);
  const existing = (await workspace.read(path)) ?? '';
  if (existing.includes(`"turn_id":${JSON.stringify(turn.turn_id)}`)) return false;
  changes.write(path, `${existing}${JSON.stringify(turn)}\n`);
  return true;
}

export async function recentTurns(workspace: Workspace, maxTurns: number): Promise<Turn[]> {
  const days = (await workspace.list(CONVERSATIONS_DIR)).filter((f) => DAY_FILE.test(f));
  const turns: Turn[] = [];
  for (const day of days.reverse()) {
    const text = (await workspace.read(`${CONVERSATIONS_DIR}/${day}`)) ?? '';
    const lines = text.split('\n').filter(Boolean).reverse();
    for (const line of lines) {
      try {
        turns.push(JSON.parse(line) as Turn);
      } catch {
        // a damaged line is skipped, not fatal
      }
      if (turns.length >= maxTurns) return turns.reverse();
    }
  }
  return turns.reverse();
}

const clip = (text: string) => (text.length > CLIP_CHARS ? `${text.slice(0, CLIP_CHARS)}…` : text);

export async function conversationSummary(workspace: Workspace, maxTurns = 10): Promise<string> {
  const turns = await recentTurns(workspace, maxTurns);
  if (turns.length === 0) return '# Recent conversation\n\n(no turns yet)\n';
  const blocks = turns.map((turn) => {
    const tools = turn.tool_calls?.length
      ? `\n*tools: ${turn.tool_calls.map((c) => c.name + (c.is_error ? ' (failed)' : '')).join(', ')}*`
      : '';
    return `## ${turn.finished_at}\n**User:** ${clip(turn.user_text)}\n\n**Assistant:** ${clip(turn.answer_text)}${tools}\n`;
  });
  // Drop the oldest turns until the summary fits its bound.
  let body = blocks.join('\n');
  while (body.length > SUMMARY_MAX_CHARS - 40 && blocks.length > 1) {
    blocks.shift();
    body = blocks.join('\n');
  }
  return `# Recent conversation\n\n${body.slice(0, SUMMARY_MAX_CHARS - 40)}`;
}
