"""resources/subscribe and notifications: which sessions subscribed to which URIs, and the
URIs a change to workspace paths touches (agent/src/mcp/resource-uris.ts's urisForPaths).

The SDK serves the 2026-07-28 `subscriptions/listen` itself; the gateway's and sidecar's
TypeScript SDK speak the earlier `resources/subscribe`, registered here on the low-level
server. A subscribed session gets notifications/resources/updated after a tool changed that
resource (any session's tool), and list_changed when saved items come or go.
"""

from __future__ import annotations

import weakref
from typing import Any

from mcp.shared.subscriptions import ResourcesListChanged, ResourceUpdated
from mcp.types import EmptyResult, SubscribeRequestParams, UnsubscribeRequestParams

from .layout import CONVERSATIONS_DIR, INDICATORS_DIR, PROFILE_FILE, STRATEGIES_DIR, SYSTEM_PROMPT_FILE, WORKSPACE_FILE

MAX_SUBSCRIPTIONS = 256


def uris_for_paths(paths: list[str]) -> list[str]:
    uris: list[str] = []

    def add(uri: str) -> None:
        if uri not in uris:
            uris.append(uri)

    for path in paths:
        if path == PROFILE_FILE:
            add("context://user-profile")
        elif path == SYSTEM_PROMPT_FILE:
            add("context://system-prompt")
        elif path == WORKSPACE_FILE:
            add("context://workspace-state")
        elif path.startswith(f"{CONVERSATIONS_DIR}/"):
            add("context://conversation-summary")
        elif path.startswith(f"{INDICATORS_DIR}/") or path.startswith(f"{STRATEGIES_DIR}/"):
            folder, file = path.split("/", 1)
            add(f"{folder}://list")
            add(f"{folder}://{file.rsplit('.', 1)[0]}")
    return uris


class Subscriptions:
    def __init__(self, server: Any) -> None:
        self.server = server
        self.sessions: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()
        low = server._lowlevel_server
        low.add_request_handler("resources/subscribe", SubscribeRequestParams, self.on_subscribe)
        low.add_request_handler("resources/unsubscribe", UnsubscribeRequestParams, self.on_unsubscribe)

    @staticmethod
    def connection_of(ctx: Any) -> Any:
        # The per-request ServerSession wraps the connection-scoped Connection, whose
        # standalone channel carries notifications outside any request.
        return ctx.session._connection

    async def on_subscribe(self, ctx: Any, params: SubscribeRequestParams) -> EmptyResult:
        uris = self.sessions.setdefault(self.connection_of(ctx), set())
        if len(uris) < MAX_SUBSCRIPTIONS:
            uris.add(str(params.uri))
        return EmptyResult()

    async def on_unsubscribe(self, ctx: Any, params: UnsubscribeRequestParams) -> EmptyResult:
        self.sessions.get(self.connection_of(ctx), set()).discard(str(params.uri))
        return EmptyResult()

    async def changed(self, paths: list[str]) -> None:
        uris = uris_for_paths(paths)
        if not uris:
            return
        lists = [u for u in uris if u.endswith("://list")]
        bus = self.server._subscriptions
        for uri in uris:
            await bus.publish(ResourceUpdated(uri=uri))
        if lists:
            await bus.publish(ResourcesListChanged())
        for session, subscribed in list(self.sessions.items()):
            try:
                for uri in uris:
                    if uri in subscribed:
                        await session.send_resource_updated(uri)
                if lists:
                    await session.send_resource_list_changed()
            except Exception:
                self.sessions.pop(session, None)  # a closed session
