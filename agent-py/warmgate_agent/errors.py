"""The agent's one error type and how it reaches MCP.

Tool failures become tool results with isError, the text `CODE: message` and
`_meta["warmgate/code"]` (as the TypeScript agent answers); resource failures become JSON-RPC
errors with `data.warmgate_code`.
"""

from __future__ import annotations

import json
from typing import Any

from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult, TextContent

WARMGATE_CODE_META = "warmgate/code"
# The commit message a write suggests; the sidecar's data plane commits with it (issue 14).
COMMIT_MESSAGE_META = "warmgate/commit-message"


class AgentError(Exception):
    """A failure with a Warmgate error code name (INVALID_ARGUMENT, NOT_FOUND, ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def invalid(message: str) -> AgentError:
    return AgentError("INVALID_ARGUMENT", message)


def not_found(message: str) -> AgentError:
    return AgentError("NOT_FOUND", message)


def tool_error(error: BaseException) -> CallToolResult:
    code, message = _code_and_message(error)
    return CallToolResult(
        content=[TextContent(type="text", text=f"{code}: {message}")],
        is_error=True,
        _meta={WARMGATE_CODE_META: code},
    )


def tool_result(value: Any, commit_message: str | None = None) -> CallToolResult:
    structured = value if isinstance(value, dict) else None
    return CallToolResult(
        content=[TextContent(type="text", text=json.dumps(value, indent=2))],
        structured_content=structured,
        _meta={COMMIT_MESSAGE_META: commit_message} if commit_message else None,
    )


def resource_error(error: BaseException) -> MCPError:
    code, message = _code_and_message(error)
    rpc = -32602 if code in ("INVALID_ARGUMENT", "NOT_FOUND") else -32000
    return MCPError(code=rpc, message=message, data={"warmgate_code": code})


def _code_and_message(error: BaseException) -> tuple[str, str]:
    if isinstance(error, AgentError):
        return error.code, error.message
    return "INTERNAL", f"internal error ({type(error).__name__})"
