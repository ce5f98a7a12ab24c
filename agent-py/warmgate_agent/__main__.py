"""Entry point: `python -m warmgate_agent` (see agent-py/README.md for the settings).

MCP over Streamable HTTP at /mcp when WARMGATE_AGENT_LISTEN is set (host:port, port 0 = any
free one, or a Unix socket path), else over stdio. Ready: one JSON line on stdout
{"ready": true, "role": "agent", "port": N} (or "socket": path) once listening, the same in
WARMGATE_READY_FILE if set; over stdio the ready file only (stdout is the MCP channel).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys

from . import config as config_module
from .server import Agent, create_server
from .user_code import UserCode
from .workspace import Workspace


def announce(payload: dict, ready_file: str | None, to_stdout: bool) -> None:
    line = json.dumps({"ready": True, "role": "agent", **payload})
    if ready_file:
        temp = f"{ready_file}.{os.getpid()}.tmp"
        with open(temp, "w") as handle:
            handle.write(line)
        os.replace(temp, ready_file)
    if to_stdout:
        print(line, flush=True)


def quiet_server(config):
    """A uvicorn server whose idle process sleeps until a signal asks it to stop.

    uvicorn's own main loop wakes every 0.1 s to look at `should_exit` and refresh the Date
    header: 20 idle warm containers spent about 15 % of a core on that alone (issue 19,
    `npm run bench -- footprint`). This one waits on an event the signal handler sets through
    the loop's self-pipe. No Date header (it would go stale): the only client is the sidecar,
    over a container-local socket.
    """
    import uvicorn

    class QuietServer(uvicorn.Server):
        def __init__(self, config) -> None:
            super().__init__(config)
            self._stop = asyncio.Event()
            self._loop: asyncio.AbstractEventLoop | None = None

        async def serve(self, sockets=None) -> None:
            self._loop = asyncio.get_running_loop()
            await super().serve(sockets=sockets)

        def handle_exit(self, sig, frame) -> None:
            super().handle_exit(sig, frame)
            if self._loop is not None:
                self._loop.call_soon_threadsafe(self._stop.set)

        async def main_loop(self) -> None:
            await self.on_tick(0)
            if not self.should_exit:
                await self._stop.wait()

    return QuietServer(config)


async def serve_http(server, listen: config_module.Listen, ready_file: str | None) -> None:
    import uvicorn
    from mcp.server.transport_security import TransportSecuritySettings

    # The agent is reachable only container-locally (the sidecar checks credentials in front
    # of it), so the Host header check for DNS rebinding is off: a sidecar may name it anyhow.
    app = server.streamable_http_app(transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False))
    if listen.socket:
        if os.path.exists(listen.socket):
            os.unlink(listen.socket)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(listen.socket)
        payload: dict = {"socket": listen.socket}
    else:
        family = socket.AF_INET6 if ":" in (listen.host or "") else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((listen.host, listen.port))
        payload = {"port": sock.getsockname()[1]}
    sock.listen(128)
    config = uvicorn.Config(app, log_level="warning", lifespan="on", date_header=False)
    uv = quiet_server(config)
    original_startup = uv.startup

    async def startup(sockets=None):
        await original_startup(sockets=sockets)
        announce(payload, ready_file, True)

    uv.startup = startup  # type: ignore[method-assign]
    await uv.serve(sockets=[sock])


def main() -> int:
    try:
        config = config_module.load()
    except config_module.ConfigError as error:
        print(f"warmgate-agent-py: {error}", file=sys.stderr)
        return 2
    workspace = Workspace(config.workspace)
    agent = Agent(workspace, UserCode(config, workspace))
    server = create_server(agent)
    print(
        f"warmgate-agent-py: workspace {config.workspace}, isolation {config.isolation}, "
        f"{'stdio' if config.listen is None else 'http'}",
        file=sys.stderr,
    )
    if config.listen is None:
        announce({"stdio": True}, config.ready_file, False)
        asyncio.run(server.run_stdio_async())
    else:
        asyncio.run(serve_http(server, config.listen, config.ready_file))
    return 0


if __name__ == "__main__":
    sys.exit(main())
