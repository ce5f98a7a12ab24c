"""The MCP server: the six context resources, the item templates and the user tools, with
the names, inputs and readOnlyHint annotations of the TypeScript agent (agent/src/mcp), plus
indicator_save_python for user-written Python indicators."""

import ast
import functools
import inspect
import json
from typing import Annotated, Any, Awaitable, Callable, Literal

import numpy as np
from mcp.server.mcpserver import Context, MCPServer
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import Field

from . import __version__, analysis, conversation
from .errors import AgentError, invalid, not_found, resource_error, tool_error, tool_result
from .layout import (
    INDICATORS_DIR,
    MAX_PYTHON_BYTES,
    MAX_SAVED_ITEMS,
    MAX_SPEC_BYTES,
    MAX_STRATEGY_BYTES,
    MAX_SYSTEM_PROMPT,
    PROFILE_FILE,
    STRATEGIES_DIR,
    SYSTEM_PROMPT_FILE,
    TIMEFRAMES,
    WORKSPACE_FILE,
)
from .subscriptions import Subscriptions
from .records import (
    check_name,
    item_path,
    list_items,
    read_item,
    read_profile,
    read_system_prompt,
    read_workspace_state,
    to_json_file,
    valid_profile,
)
from .user_code import UserCode, python_path
from .workspace import Workspace

URIS = {
    "profile": "context://user-profile",
    "conversation_summary": "context://conversation-summary",
    "workspace_state": "context://workspace-state",
    "system_prompt": "context://system-prompt",
    "indicators": "indicators://list",
    "strategies": "strategies://list",
}
MAX_PYTHON_RUNS = 8


class Written:
    """A write tool's result and the commit message it suggests (the TypeScript agent's)."""

    def __init__(self, value: Any, message: str) -> None:
        self.value = value
        self.message = message
Name = Annotated[str, Field(max_length=64, description="1-64 of a-z 0-9 - _, starting with a letter or digit")]
Candles = Annotated[
    list[dict[str, Any]],
    Field(description="1-10,000 candles {time (ms), open, high, low, close, volume?}, time strictly increasing"),
]
Timeframe = Literal["1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w"]
assert set(Timeframe.__args__) == set(TIMEFRAMES)  # type: ignore[attr-defined]


class Agent:
    """What the tools work on: the workspace and the user-code runner."""

    def __init__(self, workspace: Workspace, user_code: UserCode) -> None:
        self.workspace = workspace
        self.user_code = user_code
        self.subscriptions: Subscriptions

    # -- saved indicators: JSON specs and Python files share one name space --------------------

    def saved_kind(self, name: str) -> str | None:
        if self.workspace.exists(item_path(INDICATORS_DIR, name)):
            return "spec"
        if self.workspace.exists(python_path(name)):
            return "python"
        return None

    def list_indicators(self) -> dict[str, Any]:
        saved: list[dict[str, Any]] = []
        for name in list_items(self.workspace, INDICATORS_DIR):
            item = read_item(self.workspace, INDICATORS_DIR, name, "spec") or {}
            saved.append({"name": name, "description": item.get("description", ""), "spec": item.get("body")})
        for name in list_items(self.workspace, INDICATORS_DIR, ".py"):
            saved.append({"name": name, "description": self.python_description(name), "language": "python"})
        return {
            "builtin": analysis.CATALOG,
            "saved": sorted(saved, key=lambda s: s["name"]),
            "python": self.user_code.refusal() is None,
            "usage": 'Compute with indicator_compute {spec, candles} or {name, candles}. A spec is {"indicator": <builtin>, ...params}; '
            '{"indicator":"saved","name":<saved name>} uses a saved one (a JSON spec or a Python indicator); "source" composes specs. '
            "Write Python indicators with indicator_save_python: def compute(candles) -> list[float | None].",
        }

    def python_description(self, name: str) -> str:
        source = self.workspace.read(python_path(name)) or ""
        try:
            return (ast.get_docstring(ast.parse(source)) or "").strip()[:1000]
        except (SyntaxError, ValueError):
            return "(does not compile)"

    def get_indicator(self, name: str) -> dict[str, Any]:
        name = check_name("indicator", name)
        item = read_item(self.workspace, INDICATORS_DIR, name, "spec")
        if item:
            return {"name": name, "description": item["description"], "spec": item["body"]}
        source = self.workspace.read(python_path(name))
        if source is not None:
            return {"name": name, "description": self.python_description(name), "language": "python", "source": source}
        raise not_found(f'no saved indicator "{name}"')

    async def lookup_for(self, tree: Any, candles: analysis.Candles | None) -> analysis.SavedLookup:
        """Loads every saved indicator `tree` reaches; runs the Python ones over `candles` (or,
        for a check without candles, stands in an empty series)."""
        found: dict[str, tuple[str, Any]] = {}
        pending = analysis.saved_names(tree)
        runs = 0
        while pending:
            name = pending.pop()
            if name in found or not isinstance(name, str) or len(found) >= MAX_SAVED_ITEMS:
                continue
            try:
                check_name("indicator", name)
            except AgentError:
                continue  # the evaluator reports it where it is used
            kind = self.saved_kind(name)
            if kind == "spec":
                item = read_item(self.workspace, INDICATORS_DIR, name, "spec") or {}
                found[name] = ("spec", item.get("body"))
                pending.extend(analysis.saved_names(item.get("body")))
            elif kind == "python":
                if candles is None:
                    found[name] = ("series", None)
                    continue
                runs += 1
                if runs > MAX_PYTHON_RUNS:
                    raise invalid(f"at most {MAX_PYTHON_RUNS} Python indicators per call")
                found[name] = ("series", await self.user_code.run(name, candles))
        if candles is None:
            return lambda name: (("series", np.full(1, np.nan)) if found.get(name, ("",))[0] == "series" else found.get(name))
        return found.get


# -- registration helpers ------------------------------------------------------------------------


def tool(server: MCPServer, name: str, title: str, description: str, read_only: bool, destructive: bool = False, internal: bool = False):
    """Registers `fn` (returning a JSON value) as a tool; every AgentError becomes a tool error,
    and after a write, subscribers hear which resources it touched."""
    agent: Agent = server._warmgate_agent  # type: ignore[attr-defined]

    def register(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[CallToolResult]]:
        @functools.wraps(fn)
        async def call(*args: Any, **kwargs: Any) -> CallToolResult:
            try:
                result = await fn(*args, **kwargs)
                if isinstance(result, Written):
                    return tool_result(result.value, result.message)
                return tool_result(result)
            except Exception as error:  # one mapping for every tool
                return tool_error(error)
            finally:
                if not read_only:
                    await agent.subscriptions.changed(agent.workspace.drain_changes())

        call.__signature__ = inspect.signature(fn).replace(return_annotation=CallToolResult)  # type: ignore[attr-defined]
        call.__annotations__ = {**fn.__annotations__, "return": CallToolResult}
        server.add_tool(
            call,
            name=name,
            title=title,
            description=description,
            annotations=ToolAnnotations(
                title=title,
                read_only_hint=read_only,
                destructive_hint=False if read_only else destructive,
                open_world_hint=False,
            ),
            meta={"warmgate/internal": True} if internal else None,
            structured_output=False,
        )
        return call

    return register


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def create_server(agent: Agent) -> MCPServer:
    server = MCPServer(
        "warmgate-agent-py",
        version=__version__,
        instructions="Warmgate agent (Python): this user's trading workspace (profile, chart, indicators incl. "
        "user-written Python ones, strategies, conversation).",
    )
    server._warmgate_agent = agent  # type: ignore[attr-defined]
    agent.subscriptions = Subscriptions(server)
    register_resources(server, agent)
    register_tools(server, agent)
    return server


def register_resources(server: MCPServer, agent: Agent) -> None:
    ws = agent.workspace

    def guarded(read: Callable[[], str]) -> Callable[[], str]:
        @functools.wraps(read)
        def run() -> str:
            try:
                return read()
            except Exception as error:
                raise resource_error(error) from None

        return run

    def fixed(name: str, uri: str, mime: str, description: str, read: Callable[[], str]) -> None:
        server.resource(uri, name=name, description=description, mime_type=mime)(guarded(read))

    j, md = "application/json", "text/markdown"
    fixed("user-profile", URIS["profile"], j, "Preferences and trading style.", lambda: _json(read_profile(ws)))
    fixed(
        "conversation-summary",
        URIS["conversation_summary"],
        md,
        "The most recent conversation turns (at most 8,000 characters).",
        lambda: conversation.summary(ws),
    )
    fixed(
        "workspace-state",
        URIS["workspace_state"],
        j,
        "Chart symbol, timeframe, indicators on the chart, open analysis.",
        lambda: _json(read_workspace_state(ws)),
    )
    fixed("system-prompt", URIS["system_prompt"], md, "The user's own instructions for the assistant.", lambda: read_system_prompt(ws))
    fixed(
        "indicators",
        URIS["indicators"],
        j,
        "Built-in indicators with their parameters and outputs, and the saved ones (JSON specs and Python).",
        lambda: _json(agent.list_indicators()),
    )
    fixed("strategies", URIS["strategies"], j, "The user's saved strategies.", lambda: _json(list_strategies(ws)))

    @server.resource("indicators://{name}", name="indicator", description="A saved indicator, or a built-in one, by name.", mime_type=j)
    def indicator(name: str) -> str:
        try:
            try:
                return _json({**agent.get_indicator(name), "saved": True})
            except AgentError as error:
                builtin = next((e for e in analysis.CATALOG if e["name"] == name), None)
                if error.code == "NOT_FOUND" and builtin:
                    return _json({**builtin, "saved": False})
                raise
        except Exception as error:
            raise resource_error(error) from None

    @server.resource("strategies://{name}", name="strategy", description="A saved strategy by name.", mime_type=j)
    def strategy(name: str) -> str:
        try:
            found = read_strategy(ws, name)
            if found is None:
                raise not_found(f'no strategy "{name}"')
            return _json(found)
        except Exception as error:
            raise resource_error(error) from None


def read_strategy(ws: Workspace, name: str) -> dict[str, Any] | None:
    text = ws.read(item_path(STRATEGIES_DIR, check_name("strategy", name)))
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise AgentError("FAILED_PRECONDITION", f'saved strategy "{name}" is not valid JSON') from None


def list_strategies(ws: Workspace) -> dict[str, Any]:
    strategies = []
    for name in list_items(ws, STRATEGIES_DIR):
        try:
            found = read_strategy(ws, name) or {}
        except AgentError:
            found = {}
        strategies.append({"name": name, "description": found.get("description", ""), "side": found.get("side")})
    return {"strategies": strategies}


def _check_size(label: str, text: str, limit: int) -> None:
    if len(text.encode()) > limit:
        raise invalid(f"{label}: at most {limit} bytes")


def register_tools(server: MCPServer, agent: Agent) -> None:
    ws = agent.workspace
    probe = analysis.parse_candles([{"time": 0, "open": 1, "high": 1, "low": 1, "close": 1, "volume": 0}])

    # -- chart state ---------------------------------------------------------------------------
    @tool(server, "workspace_get", "Get chart state", "The chart symbol, timeframe, the indicators on the chart and the open analysis note.", True)
    async def workspace_get() -> Any:
        return read_workspace_state(ws)

    async def update_state(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        async with ws.write_lock:
            state = read_workspace_state(ws)
            change(state)
            ws.write(WORKSPACE_FILE, to_json_file(state))
            return {"state": state}

    @tool(
        server,
        "workspace_set_chart",
        "Change chart",
        "Change the chart symbol and/or timeframe, and optionally the open analysis note (null clears it).",
        False,
    )
    async def workspace_set_chart(
        symbol: Annotated[str | None, Field(pattern=r"^[A-Za-z0-9._:/-]{1,32}$")] = None,
        timeframe: Timeframe | None = None,
        open_analysis: Annotated[str | None, Field(max_length=4000)] = None,
        ctx: Context | None = None,
    ) -> Any:
        # null clears the note, leaving it out keeps it: only the raw arguments tell them apart.
        raw = (ctx.request_context.params or {}).get("arguments") or {} if ctx else {}
        given = "open_analysis" in raw

        def change(state: dict[str, Any]) -> None:
            if symbol is not None:
                state["symbol"] = symbol
            if timeframe is not None:
                state["timeframe"] = timeframe
            if given:
                state["openAnalysis"] = open_analysis

        parts = [
            *([f"symbol {symbol}"] if symbol else []),
            *([f"timeframe {timeframe}"] if timeframe else []),
            *(["open analysis"] if given else []),
        ]
        return Written(await update_state(change), f"Chart: set {', '.join(parts) or 'nothing'}")

    @tool(
        server,
        "workspace_set_chart_indicators",
        "Set chart indicators",
        'Replace the indicators shown on the chart. Each has an id and an indicator spec (as for indicator_compute; {"indicator":"saved","name":...} refers to a saved one).',
        False,
    )
    async def workspace_set_chart_indicators(indicators: Annotated[list[dict[str, Any]], Field(max_length=32)]) -> Any:
        for i, item in enumerate(indicators):
            if not isinstance(item.get("id"), str) or not analysis_id_ok(item["id"]):
                raise invalid(f"indicators[{i}].id: 1-64 of a-z 0-9 - _")
            spec = item.get("spec")
            analysis.Evaluator(probe, await agent.lookup_for(spec, None)).spec(spec, f"indicators[{i}].spec")
        chosen = [{"id": i["id"], "spec": i["spec"]} for i in indicators]
        ids = ", ".join(i["id"] for i in chosen) or "(none)"
        return Written(await update_state(lambda state: state.__setitem__("indicators", chosen)), f"Chart: indicators {ids}")

    # -- profile and system prompt -------------------------------------------------------------
    @tool(server, "profile_get", "Get profile", "The user's profile: display name, trading style, risk tolerance, markets, preferences.", True)
    async def profile_get() -> Any:
        return read_profile(ws)

    @tool(
        server,
        "profile_update",
        "Update profile",
        "Update profile fields; fields left out stay. `preferences` entries are merged (an empty string removes one).",
        False,
    )
    async def profile_update(
        display_name: Annotated[str | None, Field(max_length=200)] = None,
        trading_style: Annotated[str | None, Field(max_length=2000)] = None,
        risk_tolerance: Literal["low", "medium", "high"] | None = None,
        markets: Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]] | None, Field(max_length=50)] = None,
        preferences: dict[Annotated[str, Field(min_length=1, max_length=64)], Annotated[str, Field(max_length=500)]] | None = None,
    ) -> Any:
        async with ws.write_lock:
            profile = read_profile(ws)
            merged = dict(profile["preferences"])
            for key, value in (preferences or {}).items():
                if value == "":
                    merged.pop(key, None)
                else:
                    merged[key] = value
            if len(merged) > 50:
                raise invalid("preferences: at most 50 entries")
            next_profile = {
                "displayName": profile["displayName"] if display_name is None else display_name,
                "tradingStyle": profile["tradingStyle"] if trading_style is None else trading_style,
                "riskTolerance": risk_tolerance or profile["riskTolerance"],
                "markets": profile["markets"] if markets is None else markets,
                "preferences": merged,
            }
            assert valid_profile(next_profile)
            ws.write(PROFILE_FILE, to_json_file(next_profile))
            given = {"display_name": display_name, "trading_style": trading_style, "risk_tolerance": risk_tolerance, "markets": markets, "preferences": preferences}
            fields = ", ".join(k for k, v in given.items() if v is not None) or "nothing"
            return Written({"profile": next_profile}, f"Profile: update {fields}")

    @tool(server, "system_prompt_get", "Get system prompt", "The user's own instructions for the assistant (Markdown).", True)
    async def system_prompt_get() -> Any:
        return {"text": read_system_prompt(ws)}

    @tool(
        server,
        "system_prompt_set",
        "Set system prompt",
        "Replace the user's own instructions for the assistant (Markdown, at most 16 KiB).",
        False,
    )
    async def system_prompt_set(text: Annotated[str, Field(max_length=MAX_SYSTEM_PROMPT)]) -> Any:
        text = text if text.endswith("\n") else text + "\n"
        _check_size("text", text, MAX_SYSTEM_PROMPT)
        async with ws.write_lock:
            ws.write(SYSTEM_PROMPT_FILE, text)
        return Written({"bytes": len(text.encode())}, "System prompt: update")

    # -- indicators ----------------------------------------------------------------------------
    @tool(server, "indicator_list", "List indicators", "Built-in indicators (with parameters and outputs) and the user's saved indicators (JSON specs and Python).", True)
    async def indicator_list() -> Any:
        return agent.list_indicators()

    @tool(server, "indicator_get", "Get saved indicator", "A saved indicator by name: its description and spec, or its Python source.", True)
    async def indicator_get(name: Name) -> Any:
        return agent.get_indicator(name)

    async def save_item(kind: str, folder: str, path: str, content: str, other: str | None) -> None:
        async with ws.write_lock:
            if other is not None and ws.exists(other):
                raise AgentError("ALREADY_EXISTS", f"{other} already uses this name: delete it first (indicator_delete)")
            existing = set(list_items(ws, folder)) | (set(list_items(ws, folder, ".py")) if folder == INDICATORS_DIR else set())
            name = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            if name not in existing and len(existing) >= MAX_SAVED_ITEMS:
                raise AgentError("RESOURCE_EXHAUSTED", f"at most {MAX_SAVED_ITEMS} saved {kind}")
            ws.write(path, content)

    @tool(
        server,
        "indicator_save",
        "Save indicator",
        'Save (or replace) a named indicator spec so it can be used by name: {"indicator":"saved","name":...}.',
        False,
    )
    async def indicator_save(name: Name, spec: dict[str, Any], description: Annotated[str | None, Field(max_length=1000)] = None) -> Any:
        name = check_name("indicator", name)
        analysis.Evaluator(probe, await agent.lookup_for(spec, None)).spec(spec, "spec", 0, (name,))
        content = to_json_file({"description": description or "", "spec": spec})
        _check_size("spec", content, MAX_SPEC_BYTES)
        await save_item("indicators", INDICATORS_DIR, item_path(INDICATORS_DIR, name), content, python_path(name))
        return Written({"name": name}, f"Indicator: save {name}")

    @tool(
        server,
        "indicator_save_python",
        "Save Python indicator",
        "Save (or replace) a user-written Python indicator as indicators/<name>.py. The source must define "
        "compute(candles) -> list[float | None]: `candles` is a dict of numpy float arrays (time, open, high, low, close, volume), "
        "the result has one value per candle (None while warming up). numpy is available; no network, no files outside the workspace, "
        "a time and memory budget. Its docstring is its description. Use it by name in indicator_compute or in specs.",
        False,
    )
    async def indicator_save_python(name: Name, source: Annotated[str, Field(max_length=MAX_PYTHON_BYTES)]) -> Any:
        name = check_name("indicator", name)
        _check_size("source", source, MAX_PYTHON_BYTES)
        try:
            tree = ast.parse(source, filename=python_path(name))
        except SyntaxError as error:
            raise invalid(f"{python_path(name)} does not compile: line {error.lineno}: {error.msg}") from None
        if not any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "compute" for node in tree.body):
            raise invalid(f"{python_path(name)} must define a top-level function compute(candles)")
        await save_item("indicators", INDICATORS_DIR, python_path(name), source, item_path(INDICATORS_DIR, name))
        refused = agent.user_code.refusal()
        value = {"name": name, "path": python_path(name), **({"note": refused.message} if refused else {})}
        return Written(value, f"Indicator: save {name} (Python)")

    @tool(server, "indicator_delete", "Delete indicator", "Delete a saved indicator (a JSON spec or a Python file).", False, destructive=True)
    async def indicator_delete(name: Name) -> Any:
        name = check_name("indicator", name)
        async with ws.write_lock:
            for path in (item_path(INDICATORS_DIR, name), python_path(name)):
                if ws.exists(path):
                    ws.remove(path)
                    return Written({"name": name, "deleted": True}, f"Indicator: delete {name}")
        raise not_found(f'no saved indicator "{name}"')

    @tool(
        server,
        "indicator_compute",
        "Compute indicator",
        "Compute an indicator spec (or a saved indicator by name, JSON or Python) over the candles given (1-10,000; time in ms). "
        "Outputs are aligned to the candles, null during warm-up.",
        True,
    )
    async def indicator_compute(candles: Candles, spec: dict[str, Any] | None = None, name: Name | None = None) -> Any:
        if (spec is None) == (name is None):
            raise invalid('give exactly one of "spec" or "name"')
        tree = spec if spec is not None else {"indicator": "saved", "name": check_name("indicator", name or "")}
        parsed = analysis.parse_candles(candles)
        return analysis.compute(tree, parsed, await agent.lookup_for(tree, parsed))

    # -- strategies ----------------------------------------------------------------------------
    @tool(server, "strategy_list", "List strategies", "The user's saved strategies.", True)
    async def strategy_list() -> Any:
        return list_strategies(ws)

    @tool(server, "strategy_get", "Get strategy", "A saved strategy by name.", True)
    async def strategy_get(name: Name) -> Any:
        found = read_strategy(ws, name)
        if found is None:
            raise not_found(f'no saved strategy "{name}"')
        return found

    async def checked_strategy(strategy: Any) -> dict[str, Any]:
        analysis.check_strategy(strategy)
        check_name("strategy", strategy.get("name", ""))
        lookup = await agent.lookup_for(strategy, None)
        ev = analysis.Evaluator(probe, lookup)
        analysis.evaluate_rule(strategy["entry"], ev, "strategy.entry")
        analysis.evaluate_rule(strategy["exit"], ev, "strategy.exit")
        return strategy

    @tool(
        server,
        "strategy_save",
        "Save strategy",
        "Save (or replace) a rule-based strategy: side, entry and exit rules over indicators, optional stop loss / take profit / fee. Saved under strategy.name.",
        False,
    )
    async def strategy_save(strategy: dict[str, Any]) -> Any:
        strategy = await checked_strategy(strategy)
        content = to_json_file(strategy)
        _check_size("strategy", content, MAX_STRATEGY_BYTES)
        await save_item("strategies", STRATEGIES_DIR, item_path(STRATEGIES_DIR, strategy["name"]), content, None)
        return Written({"name": strategy["name"]}, f"Strategy: save {strategy['name']}")

    @tool(server, "strategy_delete", "Delete strategy", "Delete a saved strategy.", False, destructive=True)
    async def strategy_delete(name: Name) -> Any:
        path = item_path(STRATEGIES_DIR, check_name("strategy", name))
        async with ws.write_lock:
            if not ws.exists(path):
                raise not_found(f'no saved strategy "{name}"')
            ws.remove(path)
        return Written({"name": name, "deleted": True}, f"Strategy: delete {name}")

    @tool(
        server,
        "strategy_backtest",
        "Backtest strategy",
        "Backtest a strategy (given inline, or a saved one by name) over the candles given. Reports trades, PnL, max drawdown and win rate.",
        True,
    )
    async def strategy_backtest(
        candles: Candles,
        strategy: dict[str, Any] | None = None,
        name: Name | None = None,
        include_equity_curve: bool = False,
    ) -> Any:
        if (strategy is None) == (name is None):
            raise invalid('give exactly one of "strategy" or "name"')
        chosen = strategy if strategy is not None else read_strategy(ws, name or "")
        if chosen is None:
            raise not_found(f'no saved strategy "{name}"')
        chosen = await checked_strategy(chosen)
        parsed = analysis.parse_candles(candles)
        report = analysis.backtest(chosen, parsed, await agent.lookup_for(chosen, parsed))
        if not include_equity_curve:
            del report["equityCurve"]
        return report

    # -- conversation --------------------------------------------------------------------------
    @tool(
        server,
        "conversation_append",
        "Save finished turn",
        "Saves one finished conversation turn. Used by the gateway, not by the assistant.",
        False,
        internal=True,
    )
    async def conversation_append(
        turn_id: Annotated[str, Field(min_length=1, max_length=128)],
        user_text: Annotated[str, Field(max_length=64 * 1024)],
        answer_text: Annotated[str, Field(max_length=64 * 1024)],
        tool_calls: Annotated[list[dict[str, Any]], Field(max_length=64)],
        started_at: str,
        finished_at: str,
    ) -> Any:
        turn = {
            "turn_id": turn_id,
            "user_text": user_text,
            "answer_text": answer_text,
            "tool_calls": [{"name": str(c.get("name", ""))[:128], "is_error": bool(c.get("is_error"))} for c in tool_calls],
            "started_at": started_at,
            "finished_at": finished_at,
        }
        async with ws.write_lock:
            appended = conversation.append(ws, turn)
        return Written({"turn_id": turn_id, "appended": appended}, f"Conversation: turn {turn_id}")

    @tool(server, "conversation_summary", "Conversation summary", "The most recent conversation turns as Markdown (bounded to 8,000 characters).", True)
    async def conversation_summary(max_turns: Annotated[int | None, Field(ge=1, le=50)] = None) -> Any:
        return {"markdown": conversation.summary(ws, max_turns or 10)}


def analysis_id_ok(value: str) -> bool:
    from .layout import CHART_ID

    return CHART_ID.match(value) is not None
