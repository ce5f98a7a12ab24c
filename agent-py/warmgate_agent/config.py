"""The agent's settings, from WARMGATE_* environment variables, validated once at start with
messages naming the setting (all bad settings in one error)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import Mapping

ISOLATIONS = ("container", "bwrap", "none")


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Listen:
    """Where Streamable HTTP listens: host and port (port 0 = any free), or a Unix socket."""

    host: str | None = None
    port: int | None = None
    socket: str | None = None


@dataclass(frozen=True)
class Config:
    workspace: str
    listen: Listen | None  # None: MCP over stdio
    isolation: str
    bwrap: str
    indicator_timeout_ms: int
    indicator_memory_mb: int
    indicator_concurrency: int
    ready_file: str | None


def _int(env: Mapping[str, str], key: str, default: int, low: int, high: int, problems: list[str]) -> int:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        problems.append(f"{key} must be an integer from {low} to {high} (got {raw!r})")
        return default
    return value


def parse_listen(raw: str, problems: list[str]) -> Listen | None:
    raw = raw.strip()
    if not raw:
        return None
    if raw.startswith("unix:") or raw.startswith("/"):
        path = raw[len("unix:") :] if raw.startswith("unix:") else raw
        if not path.startswith("/") or len(path.encode()) > 100:
            problems.append(f"WARMGATE_AGENT_LISTEN: a Unix socket needs an absolute path of at most 100 bytes (got {raw!r})")
            return None
        return Listen(socket=path)
    host, sep, port = raw.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        problems.append(f"WARMGATE_AGENT_LISTEN must be host:port, unix:/path or /path (got {raw!r})")
        return None
    return Listen(host=host, port=int(port))


def load(env: Mapping[str, str] = os.environ) -> Config:
    problems: list[str] = []
    workspace = env.get("WARMGATE_WORKSPACE", "").strip()
    if not workspace:
        problems.append("WARMGATE_WORKSPACE is required: the folder holding the user's repository")
    elif not os.path.isabs(workspace):
        problems.append(f"WARMGATE_WORKSPACE must be an absolute path (got {workspace!r})")
    listen = parse_listen(env.get("WARMGATE_AGENT_LISTEN", ""), problems)
    isolation = env.get("WARMGATE_AGENT_ISOLATION", "none").strip() or "none"
    if isolation not in ISOLATIONS:
        problems.append(f"WARMGATE_AGENT_ISOLATION must be one of {', '.join(ISOLATIONS)} (got {isolation!r})")
    bwrap = env.get("WARMGATE_BWRAP", "bwrap").strip() or "bwrap"
    if isolation == "bwrap":
        found = shutil.which(bwrap)
        if not found:
            problems.append(
                f"WARMGATE_AGENT_ISOLATION=bwrap but {bwrap!r} is not installed (Debian: apt-get install bubblewrap; or set WARMGATE_BWRAP)"
            )
        bwrap = found or bwrap
    config = Config(
        # Not required to exist yet: the bind restores the repository into it later.
        workspace=workspace,
        listen=listen,
        isolation=isolation,
        bwrap=bwrap,
        indicator_timeout_ms=_int(env, "WARMGATE_INDICATOR_TIMEOUT_MS", 5000, 100, 120_000, problems),
        indicator_memory_mb=_int(env, "WARMGATE_INDICATOR_MEMORY_MB", 512, 64, 16_384, problems),
        indicator_concurrency=_int(env, "WARMGATE_INDICATOR_CONCURRENCY", 2, 1, 64, problems),
        ready_file=env.get("WARMGATE_READY_FILE", "").strip() or None,
    )
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))
    return config
