"""Finished conversation turns: conversations/<yyyy-mm-dd>.jsonl, one JSON object per line,
and the bounded summary behind context://conversation-summary (as the TypeScript agent)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

from .layout import CONVERSATIONS_DIR
from .workspace import Workspace

SUMMARY_MAX_CHARS = 8000
CLIP_CHARS = 400
DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.jsonl$")


def day_file(finished_at: str) -> str:
    try:
        day = datetime.fromisoformat(finished_at.replace("Z", "+00:00")).astimezone(timezone.utc)
    except ValueError:
        day = datetime.now(timezone.utc)
    return f"{CONVERSATIONS_DIR}/{day.strftime('%Y-%m-%d')}.jsonl"


def append(workspace: Workspace, turn: dict[str, Any]) -> bool:
    """Appends the turn; False when its id is already in the log (a retried save)."""
    path = day_file(turn["finished_at"])
    existing = workspace.read(path) or ""
    if f'"turn_id":{json.dumps(turn["turn_id"])}' in existing:
        return False
    workspace.write(path, existing + json.dumps(turn, separators=(",", ":")) + "\n")
    return True


def recent_turns(workspace: Workspace, max_turns: int) -> list[dict[str, Any]]:
    days = [f for f in workspace.list(CONVERSATIONS_DIR) if DAY_FILE.match(f)]
    turns: list[dict[str, Any]] = []
    for day in reversed(days):
        text = workspace.read(f"{CONVERSATIONS_DIR}/{day}") or ""
        for line in reversed([line for line in text.split("\n") if line]):
            try:
                turn = json.loads(line)
            except ValueError:
                continue  # a damaged line is skipped, not fatal
            if isinstance(turn, dict):
                turns.append(turn)
            if len(turns) >= max_turns:
                return list(reversed(turns))
    return list(reversed(turns))


def _clip(text: Any) -> str:
    text = str(text)
    return text[:CLIP_CHARS] + "…" if len(text) > CLIP_CHARS else text


def summary(workspace: Workspace, max_turns: int = 10) -> str:
    turns = recent_turns(workspace, max_turns)
    if not turns:
        return "# Recent conversation\n\n(no turns yet)\n"
    blocks = []
    for turn in turns:
        calls = turn.get("tool_calls") or []
        tools = ""
        if calls:
            names = ", ".join(
                str(c.get("name")) + (" (failed)" if c.get("is_error") else "") for c in calls if isinstance(c, dict)
            )
            tools = f"\n*tools: {names}*"
        blocks.append(
            f"## {turn.get('finished_at')}\n**User:** {_clip(turn.get('user_text', ''))}\n\n"
            f"**Assistant:** {_clip(turn.get('answer_text', ''))}{tools}\n"
        )
    body = "\n".join(blocks)
    while len(body) > SUMMARY_MAX_CHARS - 40 and len(blocks) > 1:
        blocks.pop(0)
        body = "\n".join(blocks)
    return "# Recent conversation\n\n" + body[: SUMMARY_MAX_CHARS - 40]
