"""An independent MCP client for the agent's tests: the official Python SDK (`mcp` on PyPI).

Usage: client.py <mcp-url> <assertion>
Lists the resources and tools, reads one resource and calls two tools, then prints one JSON
line with what it saw. Written for mcp 2.x (the version support/python-mcp.ts installs), with
a fallback to the 1.x transport API.
"""

import asyncio
import contextlib
import json
import sys

from mcp import ClientSession


def field(obj, snake, camel):
    return getattr(obj, snake, None) if hasattr(obj, snake) else getattr(obj, camel, None)


@contextlib.asynccontextmanager
async def connect(url, headers):
    try:
        from mcp.client.streamable_http import streamable_http_client
        from mcp.shared._httpx_utils import create_mcp_http_client
    except ImportError:  # mcp 1.x
        from mcp.client.streamable_http import streamablehttp_client

        async with streamablehttp_client(url, headers=headers) as (read, write, _):
            yield read, write
        return
    async with create_mcp_http_client(headers=headers) as http:
        async with streamable_http_client(url, http_client=http) as (read, write):
            yield read, write


async def main(url, assertion):
    async with connect(url, {"X-Warmgate-Assertion": assertion}) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            resources = await session.list_resources()
            tools = await session.list_tools()
            profile = await session.read_resource("context://user-profile")
            result = await session.call_tool(
                "workspace_set_chart", {"symbol": "PYUSD", "timeframe": "1d"}
            )
            state = await session.call_tool("workspace_get", {})
            print(
                json.dumps(
                    {
                        "server": field(init, "server_info", "serverInfo").name,
                        "resources": sorted(str(r.uri) for r in resources.resources),
                        "tools": sorted(t.name for t in tools.tools),
                        "profile_mime": field(profile.contents[0], "mime_type", "mimeType"),
                        "set_error": bool(field(result, "is_error", "isError")),
                        "state": json.loads(state.content[0].text),
                    }
                )
            )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
