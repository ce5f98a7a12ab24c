"""User-written Python indicators (indicators/<name>.py): run in a child process with a time
and memory budget, only where something isolates them.

WARMGATE_AGENT_ISOLATION says what the runtime gives (never guessed): `container` (the agent
is alone in its own container: the child runs there), `bwrap` (the child runs in bubblewrap
with no network, the workspace read-only, the Python installation and this runner, nothing
else), `none` (user code is refused).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from typing import Any

import numpy as np

from .config import Config
from .errors import AgentError
from .layout import INDICATORS_DIR, MAX_PYTHON_BYTES
from .workspace import Workspace

RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "indicator_runner.py")
# Where bubblewrap shows the runner (alone, not the agent's source folder).
SANDBOX_RUNNER = "/run/warmgate/indicator_runner.py"
KEEP_STDERR = 16 * 1024
STARTUP_TIMEOUT_S = 60
MAX_ANSWER = 4 * 1024 * 1024
CHILD_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
}


def python_path(name: str) -> str:
    return f"{INDICATORS_DIR}/{name}.py"


class UserCode:
    def __init__(self, config: Config, workspace: Workspace) -> None:
        self.config = config
        self.workspace = workspace
        self.running = asyncio.Semaphore(config.indicator_concurrency)

    def refusal(self) -> AgentError | None:
        if self.config.isolation == "none":
            return AgentError(
                "FAILED_PRECONDITION",
                "user-written Python indicators are refused here: this agent runs without isolation "
                "(WARMGATE_AGENT_ISOLATION=none). Run it in a container (=container) or under "
                "bubblewrap (=bwrap).",
            )
        return None

    async def run(self, name: str, candles: dict[str, np.ndarray]) -> np.ndarray:
        refused = self.refusal()
        if refused:
            raise refused
        display = python_path(name)
        source = self.workspace.read(display)
        if source is None:
            raise AgentError("NOT_FOUND", f"no Python indicator {display}")
        if len(source.encode()) > MAX_PYTHON_BYTES:
            raise AgentError("FAILED_PRECONDITION", f"{display} is larger than {MAX_PYTHON_BYTES} bytes")
        request = {
            "name": name,
            "display": display,
            "source": source,
            "workspace": self.workspace.root,
            "candles": {key: values.tolist() for key, values in candles.items()},
            "memory_bytes": self.config.indicator_memory_mb * 1024 * 1024,
            "cpu_seconds": max(1, -(-self.config.indicator_timeout_ms // 1000)),
        }
        async with self.running:
            answer, stderr = await self._spawn(display, json.dumps(request).encode())
        if answer.get("ok"):
            values = [np.nan if v is None else v for v in answer["values"]]
            return np.asarray(values, dtype=float)
        raise _error_of(display, answer, stderr)

    def command(self) -> list[str]:
        if self.config.isolation != "bwrap":
            return [sys.executable, "-I", RUNNER]
        return [self.config.bwrap, *bwrap_args(self.workspace.root), sys.executable, "-I", SANDBOX_RUNNER]

    async def _spawn(self, display: str, request: bytes) -> tuple[dict[str, Any], str]:
        process = await asyncio.create_subprocess_exec(
            *self.command(),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=CHILD_ENV,
            cwd=self.workspace.root,
            start_new_session=True,
        )
        assert process.stdout is not None
        stderr_task = asyncio.ensure_future(_bounded(process.stderr, KEEP_STDERR))
        feed_task = asyncio.ensure_future(_feed(process.stdin, request))
        timeout = self.config.indicator_timeout_ms / 1000
        try:
            # Start-up (interpreter, numpy, sandbox) has its own allowance; the user's time
            # budget starts when the runner says `started`.
            try:
                first = await asyncio.wait_for(process.stdout.readline(), STARTUP_TIMEOUT_S)
            except asyncio.TimeoutError:
                raise AgentError("UNAVAILABLE", f"{display}: the indicator runner did not start within {STARTUP_TIMEOUT_S} s") from None
            if first == b"started\n":
                try:
                    out = await asyncio.wait_for(_bounded(process.stdout, MAX_ANSWER), timeout)
                    code = await asyncio.wait_for(process.wait(), timeout)
                except asyncio.TimeoutError:
                    raise AgentError(
                        "DEADLINE_EXCEEDED",
                        f"{display} was stopped: it ran longer than its time budget of {timeout:g} s",
                    ) from None
            else:
                out = first + await _bounded(process.stdout, MAX_ANSWER)
                code = await process.wait()
        finally:
            if process.returncode is None:
                _kill(process)
                await process.wait()
            feed_task.cancel()
        stderr = (await stderr_task).decode(errors="replace")
        if code != 0 or not out:
            raise _crash(display, code, stderr)
        try:
            return json.loads(out), stderr
        except ValueError:
            raise AgentError("INTERNAL", f"{display}: the indicator runner answered malformed output") from None


async def _feed(stream: asyncio.StreamWriter | None, data: bytes) -> None:
    assert stream is not None
    try:
        stream.write(data)
        await stream.drain()
        stream.close()
    except (BrokenPipeError, ConnectionResetError):
        pass


async def _bounded(stream: asyncio.StreamReader | None, keep: int) -> bytes:
    """Reads to the end (so the child never blocks on a full pipe) keeping the first `keep` bytes."""
    assert stream is not None
    kept = bytearray()
    while chunk := await stream.read(65536):
        if len(kept) < keep:
            kept += chunk[: keep - len(kept)]
    return bytes(kept)


def _kill(process: asyncio.subprocess.Process) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _crash(display: str, code: int | None, stderr: str) -> AgentError:
    tail = stderr.strip()[-1500:]
    if code == -signal.SIGXCPU or code == -signal.SIGKILL and "cpu" in tail.lower():
        return AgentError("DEADLINE_EXCEEDED", f"{display} was stopped: it used up its CPU time budget")
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        return AgentError("RESOURCE_EXHAUSTED", f"{display} was stopped by {name} (memory or time budget)\n{tail}")
    return AgentError("INTERNAL", f"{display}: the indicator runner exited with {code}\n{tail}")


def _error_of(display: str, answer: dict[str, Any], stderr: str) -> AgentError:
    kind = answer.get("kind")
    message = str(answer.get("message", ""))
    trace = answer.get("traceback")
    detail = f"\n{trace}" if trace else ""
    if kind == "memory":
        return AgentError("RESOURCE_EXHAUSTED", f"{display} was stopped: it {message}{detail}")
    if kind == "denied":
        return AgentError("PERMISSION_DENIED", f"{display} was stopped: {message}{detail}")
    if kind == "syntax":
        return AgentError("INVALID_ARGUMENT", f"{display} does not compile: {message}{detail}")
    if kind == "invalid":
        return AgentError("INVALID_ARGUMENT", f"{display}: {message}")
    return AgentError("INVALID_ARGUMENT", f"{display} raised {message}{detail}")


def bwrap_args(workspace: str) -> list[str]:
    """No network, no other process, no host file but the ones named here, workspace read-only."""
    args = [
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--ro-bind",
        "/usr",
        "/usr",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
    ]
    for top in ("lib", "lib64", "bin", "sbin"):
        path = f"/{top}"
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    seen: list[str] = []
    args += ["--ro-bind", RUNNER, SANDBOX_RUNNER]
    for path in (sys.prefix, sys.base_prefix):
        real = os.path.realpath(path)
        if not real.startswith("/usr/") and real not in seen:
            seen.append(real)
            args += ["--ro-bind", real, real]
            if real != path:
                args += ["--ro-bind", real, path] if not os.path.islink(path) else ["--symlink", real, path]
    args += ["--ro-bind", workspace, workspace]
    if os.path.isdir(os.path.join(workspace, ".git")):
        args += ["--tmpfs", os.path.join(workspace, ".git")]  # the repository's config stays unseen
    args += ["--chdir", workspace]
    return args
