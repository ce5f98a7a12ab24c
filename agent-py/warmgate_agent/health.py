"""`python -m warmgate_agent.health`: exit 0 when the agent accepts connections (the image's
HEALTHCHECK). The address is the ready file's (WARMGATE_READY_FILE: "port" or "socket"), else
WARMGATE_AGENT_LISTEN's; an agent on stdio has no address and counts as healthy."""

import json
import os
import socket
import sys


def address() -> tuple[str, str | tuple[str, int]] | None:
    try:
        with open(os.environ["WARMGATE_READY_FILE"]) as handle:
            ready = json.load(handle)
        if "socket" in ready:
            return ("unix", ready["socket"])
        if "port" in ready:
            return ("tcp", ("127.0.0.1", int(ready["port"])))
    except (KeyError, OSError, ValueError):
        pass
    listen = os.environ.get("WARMGATE_AGENT_LISTEN", "").strip()
    if not listen:
        return None
    if listen.startswith("unix:") or listen.startswith("/"):
        return ("unix", listen.removeprefix("unix:"))
    host, _, port = listen.rpartition(":")
    host = host.strip("[]")
    return ("tcp", ("127.0.0.1" if host in ("0.0.0.0", "::") else host, int(port)))


def main() -> int:
    target = address()
    if target is None:
        return 0
    kind, where = target
    family = socket.AF_UNIX if kind == "unix" else (socket.AF_INET6 if ":" in where[0] else socket.AF_INET)  # type: ignore[index]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        try:
            sock.connect(where)
        except OSError:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
