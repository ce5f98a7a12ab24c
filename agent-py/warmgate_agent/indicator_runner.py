"""Runs one user-written indicator, in a child process the agent starts (inside bubblewrap or
the agent's container). Standalone: the standard library and numpy only.

Reads one JSON request on stdin: {"source", "display", "name", "candles", "workspace",
"memory_bytes", "cpu_seconds"}; writes on the original stdout the line `started` when the
user's module is about to run, then one JSON answer: {"ok": true, "values": [...]} or
{"ok": false, "kind", "message", "traceback"}. The user's
prints go to stderr. Budgets are rlimits set before any user code runs; an audit hook refuses
opening files outside the workspace and the Python installation, writing any file, sockets,
subprocesses and ctypes: a clear report, not the boundary (bubblewrap or the container is).
"""

import json
import linecache
import math
import os
import resource
import sys
import traceback

RUNNER = os.path.abspath(__file__)


def main() -> None:
    request = json.loads(sys.stdin.read())
    answer_fd = os.dup(1)
    os.dup2(2, 1)  # the user's print() goes to stderr, never into the answer
    limit(request)
    answer = run(request, answer_fd)
    with os.fdopen(answer_fd, "w") as out:
        out.write(json.dumps(answer))
    sys.stdout.flush()
    os._exit(0)


def limit(request: dict) -> None:
    """Memory from the start; CPU for start-up here, the user's share in `started`."""
    memory = int(request["memory_bytes"])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (60, 61))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def started(request: dict, answer_fd: int) -> None:
    """The CPU budget counts from here, and the agent's wall-clock budget from the line below:
    interpreter and numpy start-up (slow on a loaded machine) are not the user's."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = math.ceil(usage.ru_utime + usage.ru_stime) + int(request["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    os.write(answer_fd, b"started\n")


def run(request: dict, answer_fd: int) -> dict:
    display = request["display"]
    try:
        import numpy as np

        candles = {key: np.asarray(values, dtype=float) for key, values in request["candles"].items()}
        n = len(candles["close"])
        source = request["source"]
        linecache.cache[display] = (len(source), None, source.splitlines(True), display)
        code = compile(source, display, "exec")
    except SyntaxError as error:
        return failure("syntax", f"{type(error).__name__}: {error}", error)
    except MemoryError as error:
        return failure("memory", "ran out of its memory budget while loading", error)
    guard(request["workspace"], np)
    started(request, answer_fd)
    module = {"__name__": f"indicator_{request['name']}", "__file__": display, "__builtins__": __builtins__}
    try:
        exec(code, module)
        compute = module.get("compute")
        if not callable(compute):
            return {"ok": False, "kind": "invalid", "message": f"{display} defines no compute(candles) function"}
        result = compute(candles)
        values = convert(result, n)
    except MemoryError as error:
        return failure("memory", "ran out of its memory budget (MemoryError)", error)
    except Denied as error:
        return failure("denied", str(error), error)
    except InvalidResult as error:
        return {"ok": False, "kind": "invalid", "message": str(error)}
    except BaseException as error:  # the user's code: anything it raises is reported
        if isinstance(error.__context__, Denied) or isinstance(error.__cause__, Denied):
            return failure("denied", str(error.__context__ or error.__cause__), error)
        return failure("raise", f"{type(error).__name__}: {error}", error)
    return {"ok": True, "values": values}


class Denied(PermissionError):
    pass


class InvalidResult(Exception):
    pass


def convert(result, n: int) -> list:
    try:
        items = list(result)
    except TypeError:
        raise InvalidResult(f"compute() must return a sequence of numbers or None (got {type(result).__name__})")
    if len(items) != n:
        raise InvalidResult(f"compute() returned {len(items)} values for {n} candles (one per candle, None while warming up)")
    values = []
    for i, item in enumerate(items):
        if item is None:
            values.append(None)
            continue
        try:
            number = float(item)
        except (TypeError, ValueError):
            raise InvalidResult(f"compute() value {i} is {type(item).__name__}, not a number or None")
        values.append(number if math.isfinite(number) else None)
    return values


def guard(workspace: str, np) -> None:
    """Refuses, from here on, what an indicator has no business doing."""
    roots = {os.path.realpath(p) for p in (workspace, sys.prefix, sys.base_prefix, os.path.dirname(np.__file__), os.path.dirname(RUNNER))}
    roots = tuple(r + os.sep for r in roots)
    refused = ("socket.", "subprocess.", "os.system", "os.exec", "os.posix_spawn", "os.fork", "os.spawn", "ctypes.", "os.kill", "pty.", "sys.addaudithook", "os.putenv")
    denied = Denied
    realpath, fspath, sep = os.path.realpath, os.fspath, os.sep
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def hook(event, args):
        if event == "open":
            path, mode, flags = args
            if isinstance(path, int):
                return
            if (mode and any(c in mode for c in "wax+")) or (isinstance(flags, int) and flags & write_flags):
                raise denied(f"writing files is not allowed: {fspath(path)}")
            full = realpath(fspath(path))
            if not (full + sep).startswith(roots):
                raise denied(f"reading outside the workspace is not allowed: {fspath(path)}")
        elif event.startswith(refused) or event in ("os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.symlink", "os.link", "shutil.rmtree"):
            raise denied(f"{event} is not allowed in an indicator")

    sys.addaudithook(hook)


def failure(kind: str, message: str, error: BaseException) -> dict:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename != RUNNER]
    text = "".join(["Traceback (most recent call last):\n", *traceback.format_list(frames), *traceback.format_exception_only(type(error), error)])
    return {"ok": False, "kind": kind, "message": message, "traceback": text[-4000:]}


if __name__ == "__main__":
    main()
