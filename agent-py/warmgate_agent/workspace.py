"""The user's workspace folder: reads and writes by relative path, never outside it.

The folder is read per request, never cached at start: it is empty (or missing) until the
sidecar's bind restores the repository into it, and the restore may replace it.

A repository may hold symlinks (a user can push anything), so every path is resolved and must
stay inside the folder. Writes are whole files, written aside and renamed into place, under
one lock (tool calls run concurrently on one event loop). The agent commits nothing: the
sidecar commits and pushes after every tool call that is not readOnlyHint.
"""

from __future__ import annotations

import asyncio
import os

from .errors import AgentError

MAX_READ_BYTES = 1024 * 1024


class Workspace:
    def __init__(self, root: str) -> None:
        self.configured = root
        self.write_lock = asyncio.Lock()
        # Paths written since the last drain, for resources/updated notifications.
        self.changed: list[str] = []

    @property
    def root(self) -> str:
        return os.path.realpath(self.configured)

    def drain_changes(self) -> list[str]:
        changed, self.changed = self.changed, []
        return changed

    def path(self, relative: str) -> str:
        """The absolute path of `relative`, refused if it resolves outside the workspace."""
        if relative.startswith("/") or "\\" in relative:
            raise AgentError("INVALID_ARGUMENT", f"path {relative!r} is not relative")
        root = self.root
        full = os.path.realpath(os.path.join(root, relative))
        if full != root and not full.startswith(root + os.sep):
            raise AgentError("PERMISSION_DENIED", f"{relative} leads outside the workspace")
        if f"{os.sep}.git{os.sep}" in full[len(root) :] + os.sep:
            raise AgentError("PERMISSION_DENIED", f"{relative} is inside .git")
        return full

    def read(self, relative: str) -> str | None:
        full = self.path(relative)
        try:
            with open(full, "rb") as handle:
                data = handle.read(MAX_READ_BYTES + 1)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        if len(data) > MAX_READ_BYTES:
            raise AgentError("FAILED_PRECONDITION", f"{relative} is larger than {MAX_READ_BYTES} bytes")
        return data.decode("utf-8", errors="replace")

    def exists(self, relative: str) -> bool:
        return os.path.isfile(self.path(relative))

    def list(self, folder: str) -> list[str]:
        """File names directly in `folder`, sorted; empty when it does not exist."""
        try:
            entries = os.listdir(self.path(folder))
        except (FileNotFoundError, NotADirectoryError):
            return []
        return sorted(entries)

    def write(self, relative: str, text: str) -> None:
        full = self.path(relative)
        self.changed.append(relative)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        temp = f"{full}.tmp-{os.getpid()}"
        with open(temp, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, full)

    def remove(self, relative: str) -> None:
        os.remove(self.path(relative))
        self.changed.append(relative)
