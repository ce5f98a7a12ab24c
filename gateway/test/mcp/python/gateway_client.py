"""The official Python MCP SDK (`mcp` 2.x from PyPI) as a client of Warmgate's /mcp.

Usage: gateway_client.py <mcp-url> <bearer-token|-> [legacy|auto|2026-07-28]
Connects (default: the 2025-11-25 initialize handshake through ClientSession; otherwise
`mcp.Client` in that mode, 'auto' probing server/discover), lists the tools, reads
context://user-profile and calls the user tool profile_get, then prints one JSON line with
what it saw. A token of '-' connects anonymously.
"""

import asyncio
import json
import sys

from mcp import Client, ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client


def field(obj, snake, camel):
    return getattr(obj, snake, None) if hasattr(obj, snake) else getattr(obj, camel, None)


async def modern(url, headers, mode):
    async with create_mcp_http_client(headers=headers) as http:
        async with Client(streamable_http_client(url, http_client=http), mode=mode) as client:
            tools = await client.list_tools()
            profile = await client.read_resource("context://user-profile")
            result = await client.call_tool("profile_get", {})
            print(
                json.dumps(
                    {
                        "version": client.session.protocol_version,
                        "tools": sorted(t.name for t in tools.tools),
                        "profile": profile.contents[0].text,
                        "call_error": bool(field(result, "is_error", "isError")),
                        "call_text": result.content[0].text,
                    }
                )
            )


async def main(url, token, mode):
    headers = {} if token == "-" else {"Authorization": f"Bearer {token}"}
    if mode != "legacy":
        await modern(url, headers, mode)
        return
    async with create_mcp_http_client(headers=headers) as http:
        async with streamable_http_client(url, http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                init = await session.initialize()
                tools = await session.list_tools()
                profile = await session.read_resource("context://user-profile")
                result = await session.call_tool("profile_get", {})
                print(
                    json.dumps(
                        {
                            "server": field(init, "server_info", "serverInfo").name,
                            "version": field(init, "protocol_version", "protocolVersion"),
                            "tools": sorted(t.name for t in tools.tools),
                            "profile": profile.contents[0].text,
                            "call_error": bool(field(result, "is_error", "isError")),
                            "call_text": result.content[0].text,
                        }
                    )
                )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "legacy"))
