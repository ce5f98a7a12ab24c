"""Typed reads of the workspace layout. Reads never fail on a damaged file (a user may edit
their repository by hand): they fall back to the defaults so the agent keeps serving. Writes
validate first."""

from __future__ import annotations

import copy
import json
from typing import Any

from .errors import invalid
from .layout import (
    DEFAULT_PROFILE,
    DEFAULT_SYSTEM_PROMPT,
    DEFAULT_WORKSPACE,
    ITEM_NAME,
    PROFILE_FILE,
    RISK,
    SYMBOL,
    SYSTEM_PROMPT_FILE,
    TIMEFRAMES,
    WORKSPACE_FILE,
)
from .workspace import Workspace


def check_name(kind: str, name: str) -> str:
    if not isinstance(name, str) or not ITEM_NAME.match(name) or name == "list":
        shown = json.dumps(str(name)[:80])
        raise invalid(
            f"{kind} name {shown} is not allowed: use 1-64 lower-case letters, digits, "
            '"-" or "_", starting with a letter or digit ("list" is reserved)'
        )
    return name


def to_json_file(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def _read_json(workspace: Workspace, path: str) -> Any:
    text = workspace.read(path)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _is_str(value: Any, limit: int) -> bool:
    return isinstance(value, str) and len(value) <= limit


def valid_profile(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and _is_str(value.get("displayName"), 200)
        and _is_str(value.get("tradingStyle"), 2000)
        and value.get("riskTolerance") in RISK
        and isinstance(value.get("markets"), list)
        and len(value["markets"]) <= 50
        and all(_is_str(m, 64) for m in value["markets"])
        and isinstance(value.get("preferences"), dict)
        and len(value["preferences"]) <= 50
        and all(_is_str(k, 64) and _is_str(v, 500) for k, v in value["preferences"].items())
    )


def valid_workspace_state(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("symbol"), str)
        and SYMBOL.match(value["symbol"]) is not None
        and value.get("timeframe") in TIMEFRAMES
        and isinstance(value.get("indicators"), list)
        and len(value["indicators"]) <= 32
        and all(
            isinstance(i, dict) and isinstance(i.get("id"), str) and isinstance(i.get("spec"), dict)
            for i in value["indicators"]
        )
        and (value.get("openAnalysis") is None or _is_str(value.get("openAnalysis"), 4000))
    )


def read_profile(workspace: Workspace) -> dict[str, Any]:
    value = _read_json(workspace, PROFILE_FILE)
    return value if valid_profile(value) else copy.deepcopy(DEFAULT_PROFILE)


def read_workspace_state(workspace: Workspace) -> dict[str, Any]:
    value = _read_json(workspace, WORKSPACE_FILE)
    if not valid_workspace_state(value):
        return copy.deepcopy(DEFAULT_WORKSPACE)
    value.setdefault("openAnalysis", None)
    return value


def read_system_prompt(workspace: Workspace) -> str:
    text = workspace.read(SYSTEM_PROMPT_FILE)
    return DEFAULT_SYSTEM_PROMPT if text is None else text


def item_path(folder: str, name: str, ext: str = ".json") -> str:
    return f"{folder}/{name}{ext}"


def list_items(workspace: Workspace, folder: str, ext: str = ".json") -> list[str]:
    names = [f[: -len(ext)] for f in workspace.list(folder) if f.endswith(ext)]
    return [n for n in names if ITEM_NAME.match(n) and n != "list"]


def read_item(workspace: Workspace, folder: str, name: str, body_key: str) -> dict[str, Any] | None:
    text = workspace.read(item_path(folder, check_name("item", name)))
    if text is None:
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return {"name": name, "description": "(unreadable file)", "body": None}
    if not isinstance(parsed, dict):
        return {"name": name, "description": "(unreadable file)", "body": None}
    description = parsed.get("description")
    return {
        "name": name,
        "description": description if isinstance(description, str) else "",
        "body": parsed.get(body_key),
    }
