"""Warmgate's Python reference agent: a plain MCP server over a user's workspace folder."""

__version__ = "0.1.0"
